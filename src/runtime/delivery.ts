import { MalformedBodyError } from './errors.js';
import type { EventKind } from './catalog-types.js';

/**
 * The one reader of a delivery's body, for both transports and `validate`: bytes or text or an
 * already-parsed value → bounded JSON (UTF-8, size, nesting depth) → the envelope it is
 * (webhook.md §1), decrypted when a decryption hook is given.
 */

/** A parsed body, recognised but not yet routed, validated or verified. */
export type Delivery =
  | { readonly kind: 'challenge'; readonly challenge: string; readonly token: string | undefined; readonly payload: Record<string, unknown> }
  | { readonly kind: 'encrypted'; readonly encrypt: string; readonly payload: Record<string, unknown> }
  | {
      readonly kind: EventKind;
      readonly eventType: string;
      /** event_id (schema 2.0) or uuid (v1): the idempotency key; callbacks may have none. */
      readonly id: string | undefined;
      readonly token: string | undefined;
      readonly payload: Record<string, unknown>;
    };

export type EventDelivery = Extract<Delivery, { eventType: string }>;

/** Bytes, JSON text, or an already-parsed value (a framework's body parser ran first). */
export type BodyInput = string | Uint8Array | object;

/** Default nesting limit of a body; real payloads nest about 10 levels. */
export const DEFAULT_MAX_JSON_DEPTH = 128;

export interface DeliveryLimits {
  /** Deepest JSON nesting accepted. Default 128. */
  readonly maxJsonDepth?: number | undefined;
  /** Largest byte body accepted; unchecked when unset (transports check it while reading). */
  readonly maxBodyBytes?: number | undefined;
  /** Tells schema 2.0 callbacks from events, which share the envelope; everything is an event without it. */
  readonly isCallback?: ((eventType: string) => boolean) | undefined;
  /**
   * Strict UTF-8 decoder returning undefined on invalid bytes. The default is the Web-standard
   * TextDecoder, which keeps the runtime free of Node APIs; the webhook, Node-bound anyway, plugs
   * in its faster one (transport/webhook/utf8.ts).
   */
  readonly decode?: ((bytes: Uint8Array) => string | undefined) | undefined;
  /** Decrypts an `{"encrypt"}` wrapper to the inner body, which is then read with the same limits. */
  readonly decrypt?: ((encrypt: string) => BodyInput) | undefined;
}

/** The body nests deeper than the limit. */
export class JsonTooDeepError extends MalformedBodyError {
  constructor(readonly limit: number) {
    super(`JSON nested deeper than ${limit} levels`);
  }
}

/** The body is larger than the limit (the webhook answers 413). */
export class BodyTooLargeError extends MalformedBodyError {
  constructor(readonly limit: number) {
    super(`body larger than ${limit} bytes`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as strict UTF-8 (invalid sequences are undefined, never U+FFFD). */
function decodePortable(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function decodeUtf8(bytes: Uint8Array, decode: (bytes: Uint8Array) => string | undefined = decodePortable): string {
  const text = decode(bytes);
  if (text === undefined) throw new MalformedBodyError('body is not valid UTF-8');
  return text;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MalformedBodyError(`body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The key an event is de-duplicated by (the dispatcher's store, the long connection's coalescing): `p2:<event_id>`, `p1:<uuid>`. */
export function idempotencyKey(kind: 'p1' | 'p2', id: string): string {
  return `${kind}:${id}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Rejects a parsed value nested deeper than `maxDepth`. V8's JSON.parse is iterative and accepts
 * any depth, but JSON.stringify, validators and user code recurse: a 100k-deep array must not
 * reach them. Walking the parsed value (iteratively) costs one step per node, far less than
 * scanning the text, since real payloads are a few dozen nodes with long strings.
 */
export function checkDepth(value: unknown, maxDepth: number): void {
  if (typeof value !== 'object' || value === null) return;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | unknown[];
    const depth = depths.pop()!;
    if (depth > maxDepth) throw new JsonTooDeepError(maxDepth);
    if (Array.isArray(node)) {
      for (const child of node) {
        if (typeof child === 'object' && child !== null) {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = node[key];
        if (typeof child === 'object' && child !== null) {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
}

/** A body as a bounded JSON object (a JSON string value is never re-parsed as JSON). */
export function readJsonObject(body: BodyInput, limits: DeliveryLimits = {}): Record<string, unknown> {
  let value: unknown;
  if (body instanceof Uint8Array) {
    if (limits.maxBodyBytes !== undefined && body.byteLength > limits.maxBodyBytes) throw new BodyTooLargeError(limits.maxBodyBytes);
    value = parseJson(decodeUtf8(body, limits.decode));
  } else if (typeof body === 'string') {
    value = parseJson(body);
  } else {
    value = body;
  }
  checkDepth(value, limits.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH);
  if (!isRecord(value)) throw new MalformedBodyError('body must be a JSON object');
  return value;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Recognises the four bodies the platform sends (webhook.md §1) in a JSON object. */
export function recognise(value: Record<string, unknown>, isCallback: (eventType: string) => boolean = () => false): Delivery {
  if (typeof value.encrypt === 'string') return { kind: 'encrypted', encrypt: value.encrypt, payload: value };
  if (value.type === 'url_verification') {
    const challenge = str(value.challenge);
    if (challenge === undefined) throw new MalformedBodyError('url_verification body lacks a string "challenge"', '/challenge');
    return { kind: 'challenge', challenge, token: str(value.token), payload: value };
  }
  if (value.schema === '2.0') {
    const header = value.header;
    if (!isRecord(header)) throw new MalformedBodyError('schema 2.0 body lacks a "header" object', '/header');
    const eventType = str(header.event_type);
    if (!eventType) throw new MalformedBodyError('schema 2.0 body lacks header.event_type', '/header/event_type');
    if (!isRecord(value.event)) throw new MalformedBodyError('schema 2.0 body lacks an "event" object', '/event');
    return { kind: isCallback(eventType) ? 'callback' : 'p2', eventType, id: str(header.event_id), token: str(header.token), payload: value };
  }
  if (value.type === 'event_callback' || (value.uuid !== undefined && isRecord(value.event))) {
    const event = value.event;
    if (!isRecord(event)) throw new MalformedBodyError('v1 body lacks an "event" object', '/event');
    const eventType = str(event.type);
    if (!eventType) throw new MalformedBodyError('v1 body lacks event.type', '/event/type');
    return { kind: 'p1', eventType, id: str(value.uuid), token: str(value.token), payload: value };
  }
  throw new MalformedBodyError('body is neither a schema 2.0 event, a v1 event, a url_verification challenge nor an encrypted wrapper');
}

/**
 * Reads one delivery: UTF-8, size, nesting depth, JSON, envelope kind, and, with a `decrypt`
 * hook, the decrypted inner body under the same limits. Throws MalformedBodyError (with a JSON
 * pointer where one applies); an encrypted body without a hook is returned as `encrypted`.
 */
export function readDelivery(body: BodyInput, limits: DeliveryLimits = {}): Delivery {
  return deliveryOf(readJsonObject(body, limits), limits);
}

/** readDelivery of a body readJsonObject already read (and checked) with the same limits. */
export function deliveryOf(body: Record<string, unknown>, limits: DeliveryLimits = {}): Delivery {
  const delivery = recognise(body, limits.isCallback);
  if (delivery.kind !== 'encrypted' || !limits.decrypt) return read(delivery);
  const plaintext = limits.decrypt(delivery.encrypt);
  let inner: Delivery;
  try {
    inner = recognise(readJsonObject(plaintext, limits), limits.isCallback);
  } catch (err) {
    if (err instanceof MalformedBodyError) throw new MalformedBodyError(`decrypted body: ${err.message}`, err.pointer);
    throw err;
  }
  if (inner.kind === 'encrypted') throw new MalformedBodyError('decrypted body is encrypted again', '/encrypt');
  return read(inner);
}

// Deliveries readDelivery made, so that `dispatch` takes them as they are and any other object as a parsed body.
const readDeliveries = new WeakSet<object>();

function read(delivery: Delivery): Delivery {
  readDeliveries.add(delivery);
  return delivery;
}

/** Is this a delivery `readDelivery` returned (rather than a parsed body)? */
export const isDelivery = (value: unknown): value is Delivery => typeof value === 'object' && value !== null && readDeliveries.has(value);

/**
 * Routing facts of a parsed payload that may not be a well-formed delivery (its event type and
 * whether it is v1), or undefined: `validate` routes leniently so that the schema names what is wrong.
 */
export function eventTypeOf(payload: unknown): { eventType: string; kind: 'p1' | 'p2' } | undefined {
  if (!isRecord(payload)) return undefined;
  if (payload.schema === '2.0' && isRecord(payload.header) && typeof payload.header.event_type === 'string') {
    return { eventType: payload.header.event_type, kind: 'p2' };
  }
  if (isRecord(payload.event) && typeof payload.event.type === 'string' && (payload.type === 'event_callback' || 'uuid' in payload)) {
    return { eventType: payload.event.type, kind: 'p1' };
  }
  return undefined;
}

/** @deprecated Use `readDelivery(body, { isCallback })`. */
export function parseDelivery(body: BodyInput, isCallback: (eventType: string) => boolean): Delivery {
  return readDelivery(body, { isCallback });
}
