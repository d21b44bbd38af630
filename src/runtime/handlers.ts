import type { EventKind } from './catalog-types.js';

export type Transport = 'webhook' | 'ws' | 'direct';

/** What a handler learns about the delivery besides the payload. */
export interface HandlerContext {
  readonly transport: Transport;
  readonly kind: EventKind;
  readonly eventType: string;
  /** event_id (schema 2.0) or uuid (v1); undefined for callbacks that carry none. */
  readonly id: string | undefined;
}

export type EventHandler<E> = (event: E, context: HandlerContext) => void | Promise<void>;
/** A callback handler's return value is sent back to the platform (toast, card, preview). */
export type CallbackHandler<E, R> = (event: E, context: HandlerContext) => R | Promise<R>;

/** A v1 event under a key the catalog has no type for. */
export interface P1CustomizedEvent {
  uuid: string;
  token: string;
  ts: string;
  type: 'event_callback';
  event: { type: string; app_id?: string; tenant_key?: string; [field: string]: unknown };
}

/** Any delivery, as handed to the catch-all handler. */
export type UnknownEvent = Record<string, unknown>;
