import type { EventTypeMap } from '../generated/index.js';
import { eventTypeOf } from './runtime/domain.js';

/**
 * Whether a payload is the event (or callback, or v1 event) of the given type, routed as the
 * dispatcher routes: by header.event_type, or by event.type for v1. `e.header.event_type` is typed
 * per event, but TypeScript narrows a union only by a property of the value itself, never by a
 * nested one, so `switch (e.header.event_type)` narrows `e.header` and not `e`: this guard narrows `e`.
 */
export function isEventType<K extends keyof EventTypeMap>(payload: unknown, eventType: K): payload is EventTypeMap[K] {
  return eventTypeOf(payload)?.eventType === eventType;
}
