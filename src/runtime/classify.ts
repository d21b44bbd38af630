import type { Shape } from './catalog-types.js';

/**
 * The two classes of validation problems (README "Drift: keeping the schemas honest"):
 * a *contradiction* (a wrong type where the evidence is unanimous, a broken envelope, a missing
 * routing or required field) is an error in every mode; *drift* (a value or property the catalog
 * does not know yet) is recorded in the default mode and an error only in strict mode.
 */
export type IssueClass = 'contradiction' | 'drift';

/**
 * What kind of drift: `property` unknown property, `enum` a value outside an enum or const,
 * `null` a null where the schema allows none, `type` a type the schema does not allow on a node
 * whose sources disagreed, `rule` a value breaking a documented constraint (length, pattern, range).
 */
export type DriftKind = 'property' | 'enum' | 'null' | 'type' | 'rule';

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

// The envelope and routing fields: whatever is wrong with them is a contradiction (webhook.md §1).
const V2_ENVELOPE = new Set(['', '/schema', '/header', '/event', '/header/event_id', '/header/event_type', '/header/create_time', '/header/token', '/header/app_id']);
const V1_ENVELOPE = new Set(['', '/uuid', '/token', '/ts', '/type', '/event', '/event/type']);

const RULES = new Set(['pattern', 'format', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'uniqueItems']);

function envelopeOf(payload: unknown): ReadonlySet<string> | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  if (p.schema !== undefined || p.header !== undefined) return V2_ENVELOPE;
  if (p.uuid !== undefined || p.type === 'event_callback') return V1_ENVELOPE;
  return undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The shape node at a JSON pointer of the payload (array indexes through `i`, map keys through `a`). */
export function shapeAt(shape: Shape | undefined, pointer: string): Shape | undefined {
  let cur = shape;
  for (const raw of pointer.split('/').slice(1)) {
    if (!cur) return undefined;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur.p && hasOwn.call(cur.p, key)) cur = cur.p[key];
    else if (cur.i && /^(0|[1-9][0-9]*)$/.test(key)) cur = cur.i;
    else cur = cur.a;
  }
  return cur;
}

export interface Classified {
  readonly class: IssueClass;
  readonly drift?: DriftKind | undefined;
}

/**
 * The class of one problem. `keyword` is the ajv keyword (or `unknownProperty`, `eventType`),
 * `found` the JSON type of the value at the pointer.
 */
export function classify(keyword: string, pointer: string, found: JsonType | 'missing', payload: unknown, shape: Shape | undefined): Classified {
  if (keyword === 'unknownProperty' || keyword === 'additionalProperties') return { class: 'drift', drift: 'property' };
  if (keyword === 'eventType') return { class: 'contradiction' };
  if (envelopeOf(payload)?.has(pointer)) return { class: 'contradiction' };
  if (keyword === 'type') {
    if (found === 'null') return { class: 'drift', drift: 'null' };
    return shapeAt(shape, pointer)?.n ? { class: 'drift', drift: 'type' } : { class: 'contradiction' };
  }
  if (keyword === 'enum' || keyword === 'const') return { class: 'drift', drift: found === 'null' ? 'null' : 'enum' };
  if (RULES.has(keyword)) return { class: 'drift', drift: 'rule' };
  return { class: 'contradiction' };
}
