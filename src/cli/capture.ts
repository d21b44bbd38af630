import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BodyInput, Delivery } from '../runtime/delivery.js';
import { isDelivery, readDelivery } from '../runtime/delivery.js';
import type { DispatchOutcome, DispatchStatus } from '../runtime/dispatcher.js';
import { CliError } from './io.js';

/** Outcomes whose delivery the app accepted (the platform got a 2xx / code 200). */
const ACCEPTED: ReadonlySet<DispatchStatus> = new Set(['handled', 'ignored', 'duplicate', 'queued']);

/** `token` fields hold the app's Verification Token (and a card's update token): blanked in every capture. */
function blankTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(blankTokens);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'token' && typeof v === 'string' ? '' : blankTokens(v);
  return out;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);

/**
 * `--capture DIR` of serve and connect: each accepted delivery, decrypted, `token` fields blanked,
 * as one JSON file `<event type>.<event id>.json` (a callback without an id: a hash of its body),
 * the input of `lark-events learn`. A redelivery overwrites its first capture.
 */
export class DeliveryCapture {
  constructor(readonly dir: string) {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new CliError(`--capture ${dir}: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }

  /** Writes the delivery when its outcome is accepted; returns the file written, if any. */
  write(input: BodyInput | Delivery, outcome: DispatchOutcome): string | undefined {
    if (!ACCEPTED.has(outcome.status) || outcome.eventType === undefined) return undefined;
    let delivery: Delivery;
    try {
      delivery = isDelivery(input) ? input : readDelivery(input);
    } catch {
      return undefined;
    }
    if (delivery.kind === 'challenge' || delivery.kind === 'encrypted') return undefined;
    const body = JSON.stringify(blankTokens(delivery.payload), null, 2) + '\n';
    const id = delivery.id ?? createHash('sha256').update(body).digest('hex').slice(0, 16);
    const file = path.join(this.dir, `${safe(delivery.eventType)}.${safe(id)}.json`);
    fs.writeFileSync(file, body);
    return file;
  }
}
