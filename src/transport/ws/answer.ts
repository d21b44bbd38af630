import type { DispatchOutcome, DispatchStatus } from '../../runtime/dispatcher.js';
import type { Frame } from './frame.js';
import { encodeFrame, reencodeWith } from './frame.js';

/** What the long connection answers for an outcome (long-connection.md "Answers"). */
export interface WSAnswer {
  /** 200: handled (the platform will not redeliver); 500: failed, the platform retries later. */
  readonly code: 200 | 500;
  /** A callback's response, JSON; sent base64-encoded in `data`. */
  readonly data?: unknown;
}

/** Outcomes the platform must not redeliver. Anything else is answered 500 so that it retries. */
const DONE: ReadonlySet<DispatchStatus> = new Set(['challenge', 'handled', 'ignored', 'duplicate', 'queued']);

export function wsAnswer(outcome: DispatchOutcome): WSAnswer {
  if (!DONE.has(outcome.status)) return { code: 500 };
  // Only a handled callback carries data; a challenge echo is a webhook-only answer.
  return outcome.status === 'handled' && outcome.response !== undefined ? { code: 200, data: outcome.response } : { code: 200 };
}

const encoder = new TextEncoder();
const OK_PAYLOAD = encoder.encode('{"code":200}');
const FAILED_PAYLOAD = encoder.encode('{"code":500}');

/** The answer frame's payload: `{"code":200}`, `{"code":200,"data":"<base64 JSON>"}` or `{"code":500}`. */
export function encodeWSAnswer(answer: WSAnswer): Uint8Array {
  if (answer.code !== 200) return FAILED_PAYLOAD;
  if (answer.data === undefined) return OK_PAYLOAD;
  return encoder.encode(JSON.stringify({ code: 200, data: Buffer.from(JSON.stringify(answer.data), 'utf8').toString('base64') }));
}

export { FAILED_PAYLOAD, OK_PAYLOAD };

/**
 * The answer frame, encoded: the data frame `raw` decoded to, with `biz_rt` (the handler's time, ms)
 * added and the answer as payload; the received bytes are reused where they can be.
 */
export function encodeAnswerFrame(raw: Uint8Array, frame: Frame, payload: Uint8Array, bizRtMs: number): Uint8Array {
  const bizRt = { key: 'biz_rt', value: String(Math.max(0, Math.round(bizRtMs))) };
  return reencodeWith(raw, frame, bizRt, payload) ?? encodeFrame({ ...frame, headers: [...frame.headers, bizRt], payload });
}
