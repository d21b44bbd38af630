import { catalog } from '../generated/catalog.js';
import type { EventTypeMap } from '../generated/index.js';

/** Every catalogued event and callback type (header.event_type, or the v1 key). */
export type EventType = keyof EventTypeMap;

const known: ReadonlySet<string> = new Set(catalog.map((e) => e.eventType));

/** Is `name` an event or callback type of the catalog? A type guard to the `EventType` union. */
export function isEventType(name: unknown): name is EventType {
  return typeof name === 'string' && known.has(name);
}
