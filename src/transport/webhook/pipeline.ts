import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import type { Delivery, DeliveryLimits } from '../../runtime/delivery.js';
import { BodyTooLargeError, DEFAULT_MAX_JSON_DEPTH, readDelivery, readJsonObject } from '../../runtime/delivery.js';
import { LarkEventError, MalformedBodyError } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';
import type { WebhookAnswer } from './answer.js';
import { webhookAnswer } from './answer.js';
import type { ConcurrencyLimit, WebhookStats } from './concurrency.js';
import { PayloadTooLargeError, WebhookError } from './errors.js';
import { DEFAULT_MAX_BODY_BYTES } from './raw-body.js';
import type { ParsedBody, WebhookRequest, WebhookResponse } from './request.js';
import { checkContentType, errorResponse, getHeader, JSON_TYPE, jsonResponse, pathOf } from './request.js';
import type { RotatingSecret, SignatureAlgorithm, SignatureHeaders } from './signature.js';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';
import type { DeliveryInfo, RunSteps, Scheduler, Timed } from './timing.js';
import { decodeUtf8Strict } from './utf8.js';

/**
 * The one webhook pipeline (webhook.md): gate (method, path, content type, size) → verify (a
 * receiver's step: signature, decryption, token; it reads the body) → run (a receiver's step,
 * under the answer-timing policy) → the outcome's HTTP answer. The event receiver (receiver.ts)
 * and the legacy card receiver (legacy-card.ts) differ only in their steps.
 */

export interface WebhookHandler {
  /** Answers one request. Never throws: every failure becomes a JSON error response. */
  handle(request: WebhookRequest): Promise<WebhookResponse>;
  /**
   * The checks that need no body (405, 404, 415, 413 by Content-Length): adapters call it before
   * reading the body and answer its response, if any.
   */
  precheck(request: Omit<WebhookRequest, 'body'>): WebhookResponse | undefined;
  /** Resolves when handlers still running after their answer (ack-first, timed out) have finished. */
  drain(): Promise<void>;
  /** Handlers running now and their peak, and requests refused with 503 by `maxConcurrency` (receivers made here have it). */
  stats?(): WebhookStats;
  /** The body limit adapters enforce while reading. */
  readonly maxBodyBytes: number;
  /** The configured path, if any. */
  readonly path: string | undefined;
}

/** The checks every webhook endpoint shares, before the body is understood. */
export interface Gate {
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly path: string | undefined;
}

export interface GateOptions {
  path?: string | undefined;
  maxBodyBytes?: number | undefined;
  maxJsonDepth?: number | undefined;
}

export function resolveGate(options: GateOptions): Gate {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxJsonDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  if (!(maxBodyBytes > 0)) throw new LarkEventError('maxBodyBytes must be a positive number');
  if (!(maxJsonDepth > 0)) throw new LarkEventError('maxJsonDepth must be a positive number');
  return { maxBodyBytes, maxJsonDepth, path: options.path };
}

/** 405 / 404 / 415 / 413 in that order; throws a WebhookError. */
function checkRequest(gate: Gate, request: Omit<WebhookRequest, 'body'> & { body?: WebhookRequest['body'] }): void {
  if (request.method !== 'POST' && request.method.toUpperCase() !== 'POST') throw new WebhookError('method not allowed', 405, { allow: 'POST' });
  if (gate.path !== undefined && request.path !== undefined && pathOf(request.path) !== gate.path) throw new WebhookError('not found', 404);
  checkContentType(getHeader(request.headers, 'content-type'));
  if (request.body instanceof Uint8Array && request.body.byteLength > gate.maxBodyBytes) throw new PayloadTooLargeError(gate.maxBodyBytes);
}

/** The gate's checks before the body is read (method, path, content type, declared length): a response, or undefined to go on. */
export function precheck(gate: Gate, request: Omit<WebhookRequest, 'body'>): WebhookResponse | undefined {
  try {
    checkRequest(gate, request);
    const length = getHeader(request.headers, 'content-length');
    if (length !== undefined && /^\d+$/.test(length) && Number(length) > gate.maxBodyBytes) throw new PayloadTooLargeError(gate.maxBodyBytes);
    return undefined;
  } catch (err) {
    if (err instanceof WebhookError) return errorResponse(err);
    throw err;
  }
}

/** The handler's answer to a thrown error: a WebhookError's own, 400 for a malformed body, 500 otherwise. */
export function failureResponse(err: unknown, logger: Logger): WebhookResponse {
  if (err instanceof BodyTooLargeError) return errorResponse(new PayloadTooLargeError(err.limit));
  if (err instanceof WebhookError) {
    logger.debug(`webhook request rejected: ${err.status} ${err.message}`, err.toBody());
    return errorResponse(err);
  }
  if (err instanceof MalformedBodyError) {
    return jsonResponse(400, err.pointer ? { error: err.message, pointer: err.pointer } : { error: err.message });
  }
  logger.error('webhook receiver failed', { error: err instanceof Error ? err.message : String(err) });
  return jsonResponse(500, { error: 'internal error' });
}

// ---- helpers the verify steps share --------------------------------------------------------

export function signatureHeaders(request: WebhookRequest): SignatureHeaders {
  return {
    timestamp: getHeader(request.headers, 'x-lark-request-timestamp'),
    nonce: getHeader(request.headers, 'x-lark-request-nonce'),
    signature: getHeader(request.headers, 'x-lark-signature'),
  };
}

export const hasSignatureHeaders = (h: SignatureHeaders): boolean => h.signature !== undefined || h.timestamp !== undefined || h.nonce !== undefined;

const isParsed = (body: WebhookRequest['body']): body is ParsedBody => !(body instanceof Uint8Array);

/** What readDelivery reads of a request body (a parsed JSON string stays a string value, never re-parsed). */
function bodyInput(body: WebhookRequest['body']): Uint8Array | object {
  if (!isParsed(body)) return body;
  const parsed = body.parsed;
  if (typeof parsed !== 'object' || parsed === null) throw new MalformedBodyError('body must be a JSON object');
  return parsed;
}

/** The webhook's reading limits (built once per receiver): the gate's, with the fast UTF-8 decoder. */
export function bodyLimits(gate: Gate, extra: Pick<DeliveryLimits, 'isCallback' | 'decrypt'> = {}): DeliveryLimits {
  return { ...extra, maxJsonDepth: gate.maxJsonDepth, maxBodyBytes: gate.maxBodyBytes, decode: decodeUtf8Strict };
}

/** The request body as a delivery. */
export function readRequestDelivery(request: WebhookRequest, limits: DeliveryLimits): Delivery {
  return readDelivery(bodyInput(request.body), limits);
}

/** The request body (or a decrypted one) as a bounded JSON object, for bodies that are not event envelopes. */
export function readRequestObject(body: WebhookRequest['body'] | string, limits: DeliveryLimits): Record<string, unknown> {
  return readJsonObject(typeof body === 'string' ? body : bodyInput(body), limits);
}

/**
 * The bytes a signature may have been computed over when only a parsed body is left: the
 * compact serialisation, which is exactly what the platform sends for an encrypted wrapper
 * `{"encrypt":"<base64>"}`. A match proves the key holder signed a body with this very content.
 */
export function reconstructedBodies(parsed: unknown): Uint8Array[] {
  try {
    const text = JSON.stringify(parsed);
    return text === undefined ? [] : [Buffer.from(text, 'utf8')];
  } catch {
    return [];
  }
}

export interface SignatureCheck {
  readonly secret: RotatingSecret;
  readonly algorithm: SignatureAlgorithm;
  readonly toleranceMs: number | false;
  readonly now: () => number;
  readonly logger: Logger;
}

/** Verifies the signature over the exact bytes, or over the reconstruction of an already-parsed body; returns the secret that verified. */
export function verifyRequestSignature(request: WebhookRequest, headers: SignatureHeaders, check: SignatureCheck): string {
  const parsed = isParsed(request.body);
  const bodies = isParsed(request.body) ? reconstructedBodies(request.body.parsed) : request.body;
  try {
    return verifySignature(headers, bodies, { secret: check.secret, algorithm: check.algorithm, toleranceMs: check.toleranceMs, now: check.now });
  } catch (err) {
    if (parsed && err instanceof WebhookError && err.detail.header === SIGNATURE_HEADER && headers.signature !== undefined) {
      const hint = 'the raw body was not available (a body parser ran first) and its re-serialisation does not match the signature: mount this middleware before the body parser, or keep the raw bytes (express.json({ verify: captureRawBody }))';
      check.logger.warn(`webhook signature check failed without the raw body: ${hint}`);
      throw new WebhookError(err.message, 401, { ...err.detail, hint });
    }
    throw err;
  }
}

// ---- the pipeline --------------------------------------------------------------------------

/**
 * What a router in front of a receiver (multi-app.ts, routing by app_id) has already read of a
 * request, so that the receiver's verify step does not read or check it a second time.
 */
export interface RoutedRead {
  /** The body, read with the same limits (readRequestObject). */
  readonly body: Record<string, unknown>;
  /** The key an X-Lark-Signature was matched with; its replay window is still to be checked. */
  readonly signingKey?: string | undefined;
  /** An unsigned `{"encrypt"}` body's plaintext, decrypted with one of the receiver's keys. */
  readonly decrypted?: string | undefined;
}

export interface PipelineSteps<D> {
  /** Authenticates and reads the request into what `run` handles; throws a WebhookError or MalformedBodyError. */
  verify(request: WebhookRequest, routed?: RoutedRead): D;
  /** Handles it; the outcome becomes the answer (an outcome already there is answered without a Promise). */
  run(delivery: D): DispatchOutcome | Promise<DispatchOutcome>;
  /** What logs and hooks name the delivery by. */
  info(delivery: D): DeliveryInfo;
  /** Answer 200 before running (events only: a callback's answer is its handler's return value). */
  ackFirst?(delivery: D): boolean;
  /** A URL-verification challenge: answered outside the concurrency bound. */
  challenge?(delivery: D): boolean;
  /** The outcome's HTTP answer (default: the webhook table, answer.ts). */
  answer?(outcome: DispatchOutcome): WebhookAnswer;
}

export interface PipelineOptions {
  readonly gate: Gate;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Bounds the handlers running at once, answered or not (challenges are exempt). */
  readonly concurrency?: ConcurrencyLimit | undefined;
}

/** Answers a request whose precheck passed; never throws. Synchronous when the run step is. */
export type CheckedResponder = (request: WebhookRequest, routed?: RoutedRead) => WebhookResponse | Promise<WebhookResponse>;

const responders = new WeakMap<WebhookHandler, CheckedResponder>();

/**
 * For adapters that ran `handler.precheck` on the request (and got no response): the pipeline's
 * answer without repeating those checks, and without a Promise when nothing is asynchronous.
 * A handler that createPipeline did not make is answered through its `handle`.
 */
export function checkedResponder(handler: WebhookHandler): CheckedResponder {
  return responders.get(handler) ?? ((request) => handler.handle(request));
}

export function createPipeline<D>({ gate, scheduler, logger, concurrency }: PipelineOptions, steps: PipelineSteps<D>): WebhookHandler & { stats(): WebhookStats } {
  const answerOf = steps.answer ?? webhookAnswer;
  const failed = (err: unknown): WebhookResponse => failureResponse(err, logger);
  const answerTimed = (timed: Timed): WebhookResponse => {
    if (timed.state === 'acked') return jsonResponse(200, {});
    if (timed.state === 'timeout') return jsonResponse(503, { error: 'handler timed out', timeoutMs: timed.timeoutMs });
    const answer = answerOf(timed.result);
    return { status: answer.status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(answer.body), result: timed.result };
  };
  // The run step in the slot tryAcquire took; the slot is given back when the dispatch settles.
  const limited: RunSteps<D> | undefined = concurrency && { run: (d) => concurrency.hold(steps, d), info: (d) => steps.info(d) };
  // verify → (concurrency bound) → run (under the answer-timing policy) → answer, after the gate's checks.
  const respond = (request: WebhookRequest, routed?: RoutedRead): WebhookResponse | Promise<WebhookResponse> => {
    try {
      const delivery = steps.verify(request, routed);
      let run: RunSteps<D> = steps;
      if (concurrency && limited && !steps.challenge?.(delivery)) {
        if (!concurrency.tryAcquire()) return concurrency.busy();
        run = limited;
      }
      const timed = scheduler.runNow(run, delivery, steps.ackFirst?.(delivery) ?? false);
      return timed instanceof Promise ? timed.then(answerTimed).catch(failed) : answerTimed(timed);
    } catch (err) {
      return failed(err);
    }
  };
  const handler: WebhookHandler & { stats(): WebhookStats } = {
    maxBodyBytes: gate.maxBodyBytes,
    path: gate.path,
    drain: () => scheduler.drain(),
    stats: () => concurrency?.stats() ?? { running: 0, peakRunning: 0, refused: 0 },
    precheck: (request) => precheck(gate, request),
    async handle(request) {
      try {
        checkRequest(gate, request);
      } catch (err) {
        return failed(err);
      }
      return respond(request);
    },
  };
  responders.set(handler, (request, routed) => {
    // precheck saw no body: the size of one given as bytes is the check left.
    if (request.body instanceof Uint8Array && request.body.byteLength > gate.maxBodyBytes) return failed(new PayloadTooLargeError(gate.maxBodyBytes));
    return respond(request, routed);
  });
  return handler;
}
