import { MalformedBodyError } from './errors.js';
import { decodeUtf8, isRecord, parseJson } from './json.js';
import type { EventKind } from './catalog-types.js';

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

export type BodyInput = string | Uint8Array | object;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Recognises the four bodies the platform sends (webhook.md §1). `isCallback` tells schema 2.0
 * callbacks from events, since both share the envelope.
 */
export function parseDelivery(body: BodyInput, isCallback: (eventType: string) => boolean): Delivery {
  const value = typeof body === 'string' ? parseJson(body) : body instanceof Uint8Array ? parseJson(decodeUtf8(body)) : body;
  if (!isRecord(value)) throw new MalformedBodyError('body must be a JSON object');
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
