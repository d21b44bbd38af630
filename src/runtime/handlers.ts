import type { EventKind } from './catalog-types.js';

export type Transport = 'webhook' | 'ws' | 'direct';

/** What a handler learns about the delivery besides the payload; `eventType` is the registered event's literal type. */
export interface HandlerContext<T extends string = string> {
  readonly transport: Transport;
  readonly kind: EventKind;
  readonly eventType: T;
  /** event_id (schema 2.0) or uuid (v1); undefined for callbacks that carry none. */
  readonly id: string | undefined;
}

/** An event handler may return anything (e.g. `async (e) => save(e)`); its result is ignored. */
export type EventHandler<E, T extends string = string> = (event: E, context: HandlerContext<T>) => unknown | Promise<unknown>;
/** A callback handler's return value is sent back to the platform (toast, card, preview). */
export type CallbackHandler<E, R, T extends string = string> = (event: E, context: HandlerContext<T>) => R | Promise<R>;

/** A v1 event under a key the catalog has no type for. */
export interface P1CustomizedEvent {
  uuid: string;
  token: string;
  ts: string;
  type: 'event_callback';
  event: { type: string; app_id?: string; tenant_key?: string; [field: string]: unknown };
}

/**
 * A schema 2.0 delivery no handler is registered for (an event or a callback): the envelope
 * (schemas/common EnvelopeV2), with what the reader guarantees typed and the event body untyped.
 */
export interface UnknownP2Event {
  schema: '2.0';
  header: {
    event_type: string;
    /** Absent on some callbacks. */
    event_id?: string;
    create_time?: string;
    token?: string;
    app_id?: string;
    tenant_key?: string;
    [field: string]: unknown;
  };
  event: Record<string, unknown>;
}

/** Any delivery, as handed to the catch-all handler: a schema 2.0 envelope, or a v1 one (tell them by `'schema' in e`). */
export type UnknownEvent = UnknownP2Event | P1CustomizedEvent;
