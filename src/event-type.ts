import { catalog } from '../generated/catalog.js';
import type { EventTypeMap } from '../generated/index.js';
import { eventTypeOf } from './runtime/domain.js';

/** Every catalogued event and callback type (header.event_type, or the v1 key). */
export type EventType = keyof EventTypeMap;

const known: ReadonlySet<string> = new Set(catalog.map((e) => e.eventType));

/** Is `name` an event or callback type of the catalog? A type guard to the `EventType` union. */
export function isEventType(name: unknown): name is EventType;
/**
 * Whether a payload is the event (or callback, or v1 event) of the given type, routed as the
 * dispatcher routes: by header.event_type, or by event.type for v1. `e.header.event_type` is typed
 * per event, but TypeScript narrows a union only by a property of the value itself, never by a
 * nested one, so `switch (e.header.event_type)` narrows `e.header` and not `e`: this guard narrows `e`.
 */
export function isEventType<K extends EventType>(payload: unknown, eventType: K): payload is EventTypeMap[K];
export function isEventType(value: unknown, eventType?: string): boolean {
  if (eventType === undefined) return typeof value === 'string' && known.has(value);
  return eventTypeOf(value)?.eventType === eventType;
}
