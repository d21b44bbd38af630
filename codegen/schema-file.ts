/**
 * The vocabulary of a schema file, shared by every codegen phase and the importer: JSON values,
 * the event kinds, where schemas live on the web, the key order of a schema, and how a schema file
 * is written. A leaf: it imports nothing.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A catalog row's kind: schema 2.0 event, v1 event, or callback. */
export type EventKind = 'p2' | 'p1' | 'callback';

/** The base of every schema's `$id`: `<SCHEMA_BASE>/<domain>/<file>.json`. */
export const SCHEMA_BASE = 'https://lark-event-catalog.dev/schemas';

/** The key order of an event schema's top level. */
export const TOP_ORDER = ['$schema', '$id', 'title', 'description', 'x-lark', 'x-lark-example-source', 'type', 'required', 'properties', 'definitions', 'examples'];

/** The key order of a property or definition. */
export const PROPERTY_KEY_ORDER = [
  '$ref', 'anyOf', 'title', 'type', 'const', 'enum', 'pattern', 'format', 'minLength', 'maxLength',
  'minimum', 'maximum', 'minItems', 'maxItems', 'items', 'required', 'properties', 'additionalProperties',
  'description', 'x-lark-type', 'x-lark-enum-descriptions', 'x-lark-field-permissions', 'x-lark-source', 'x-lark-note',
];

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `o` with the keys in `order` first (in that order), then the rest as they were. */
export function orderKeys(o: JsonObject, order: readonly string[] = PROPERTY_KEY_ORDER): JsonObject {
  const out: JsonObject = {};
  for (const k of order) if (k in o && o[k] !== undefined) out[k] = o[k] as Json;
  for (const k of Object.keys(o)) if (!(k in out)) out[k] = o[k] as Json;
  return out;
}

/** The text of a schema file: two-space JSON and a final newline. */
export function serializeSchema(schema: JsonObject): string {
  return JSON.stringify(schema, null, 2) + '\n';
}
