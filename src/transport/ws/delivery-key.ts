import { idempotencyKey, isRecord } from '../../runtime/delivery.js';

/**
 * What tells a redelivered copy from a new event on the long connection: the event's own id,
 * which every push of the event carries (`header.event_id`, schema 2.0; `uuid`, v1). The frame's
 * `message_id` only groups the fragments of one push (long-connection.md §4), so it cannot.
 * Keys are the dispatcher's idempotency keys (`idempotencyKey`).
 */

const EVENT_ID = Buffer.from('"event_id":"');
const UUID = Buffer.from('"uuid":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Ids are short; anything longer is not worth a guess. */
const MAX_ID_BYTES = 256;

function stringAfter(bytes: Buffer, needle: Buffer): string | undefined {
  const at = bytes.indexOf(needle);
  if (at === -1) return undefined;
  const start = at + needle.length;
  const end = bytes.indexOf(QUOTE, start);
  if (end === -1 || end === start || end - start > MAX_ID_BYTES) return undefined;
  // An escape inside the id: leave it to the parsed key.
  for (let i = start; i < end; i++) if (bytes[i] === BACKSLASH) return undefined;
  return bytes.toString('utf8', start, end);
}

/**
 * A guess from the raw bytes, without parsing: the first `"event_id":"…"` (else `"uuid":"…"`).
 * It may name a nested field, so it is only ever a hint: two deliveries are the same event when
 * their `deliveryKey`s are equal.
 */
export function candidateDeliveryKey(payload: Uint8Array): string | undefined {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const id = stringAfter(bytes, EVENT_ID);
  if (id !== undefined) return idempotencyKey('p2', id);
  const uuid = stringAfter(bytes, UUID);
  return uuid === undefined ? undefined : idempotencyKey('p1', uuid);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The key from the parsed body; undefined when the body is not JSON or carries no id. */
export function deliveryKey(payload: Uint8Array): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (value.schema === '2.0') {
    const header = value.header;
    return isRecord(header) && typeof header.event_id === 'string' && header.event_id !== '' ? idempotencyKey('p2', header.event_id) : undefined;
  }
  return typeof value.uuid === 'string' && value.uuid !== '' && isRecord(value.event) ? idempotencyKey('p1', value.uuid) : undefined;
}
