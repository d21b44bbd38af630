/**
 * The facts both the runtime's classification of validation problems (src/runtime/classify.ts)
 * and `lark-events learn` (codegen/learn/) rest on, so that what learn fixes is what the runtime
 * calls drift. A leaf: it imports nothing.
 */

/**
 * What kind of drift: `property` unknown property, `enum` a value outside an enum or const,
 * `null` a null where the schema allows none, `type` a type the schema does not allow on a node
 * whose sources disagreed, `rule` a value breaking a documented constraint (length, pattern, range).
 */
export const DRIFT_KINDS = ['property', 'enum', 'null', 'type', 'rule'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The JSON type of a value, the only thing drift reports keep of it (payloads hold personal data). */
export type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

export function jsonTypeOf(value: unknown): JsonType | 'missing' {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return 'object';
}

/** Does a JSON Schema type admit a value of this JSON type (an integer is a number)? */
export function typeAdmits(schemaType: string, found: JsonType): boolean {
  return schemaType === found || (schemaType === 'number' && found === 'integer');
}

// The envelope and routing fields of the two delivery formats (webhook.md §1): whatever is wrong
// with them is a contradiction, never drift.
const V2_ENVELOPE: ReadonlySet<string> = new Set(['', '/schema', '/header', '/event', '/header/event_id', '/header/event_type', '/header/create_time', '/header/token', '/header/app_id']);
const V1_ENVELOPE: ReadonlySet<string> = new Set(['', '/uuid', '/token', '/ts', '/type', '/event', '/event/type']);

/** The envelope pointers of a payload: schema 2.0 (events, callbacks), v1, or none (a callback response, a shared shape). */
export function envelopePointers(payload: unknown): ReadonlySet<string> | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  if (p.schema !== undefined || p.header !== undefined) return V2_ENVELOPE;
  if (p.uuid !== undefined || p.type === 'event_callback') return V1_ENVELOPE;
  return undefined;
}

/** Keywords of documented constraints (数据校验规则): a value breaking one is drift of kind `rule`. */
export const RULE_KEYWORDS: ReadonlySet<string> = new Set(['pattern', 'format', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'uniqueItems']);
