import type { Shape } from './catalog-types.js';
import type { DriftKind, JsonType } from '../util/wire-classes.js';
import { envelopePointers, jsonTypeOf, RULE_KEYWORDS } from '../util/wire-classes.js';
import { unescapeToken } from '../util/json-pointer.js';

export type { DriftKind, JsonType };
export { jsonTypeOf };

/**
 * The two classes of validation problems (README "Drift: keeping the schemas honest"):
 * a *contradiction* (a wrong type where the evidence is unanimous, a broken envelope, a missing
 * routing or required field) is an error in every mode; *drift* (a value or property the catalog
 * does not know yet) is recorded in the default mode and an error only in strict mode.
 */
export type IssueClass = 'contradiction' | 'drift';


const hasOwn = Object.prototype.hasOwnProperty;

/** The shape node at a JSON pointer of the payload (array indexes through `i`, map keys through `a`). */
export function shapeAt(shape: Shape | undefined, pointer: string): Shape | undefined {
  let cur = shape;
  for (const raw of pointer.split('/').slice(1)) {
    if (!cur) return undefined;
    const key = unescapeToken(raw);
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
  if (envelopePointers(payload)?.has(pointer)) return { class: 'contradiction' };
  if (keyword === 'type') {
    if (found === 'null') return { class: 'drift', drift: 'null' };
    return shapeAt(shape, pointer)?.n ? { class: 'drift', drift: 'type' } : { class: 'contradiction' };
  }
  if (keyword === 'enum' || keyword === 'const') return { class: 'drift', drift: found === 'null' ? 'null' : 'enum' };
  if (RULE_KEYWORDS.has(keyword)) return { class: 'drift', drift: 'rule' };
  return { class: 'contradiction' };
}
