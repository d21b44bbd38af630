/** Strict validation of examples: ajv draft-07 with every object closed (additionalProperties:false). */

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';

type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass = (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);

/** A deep copy in which every object schema with `properties` and no explicit
 * `additionalProperties` gets `additionalProperties: false`. */
export function strictCopy(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictCopy);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'definitions' || k === 'patternProperties') {
      // Maps of name → schema: the map itself is not a schema.
      const m: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries((v ?? {}) as Record<string, unknown>)) m[name] = strictCopy(sub);
      out[k] = m;
    } else if (k === 'items' || k === 'additionalItems' || k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'not' || k === 'if' || k === 'then' || k === 'else' || k === 'additionalProperties') {
      out[k] = strictCopy(v);
    } else {
      out[k] = v;
    }
  }
  if ((out['type'] === 'object' || 'properties' in out) && !('additionalProperties' in out) && !('$ref' in out)) {
    out['additionalProperties'] = false;
  }
  return out;
}

/** A strict validation error: where in the data, which keyword, its parameters. */
export interface StrictError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
}

export interface StrictValidator {
  validate(schema: object, data: unknown): string[];
  errors(schema: object, data: unknown): StrictError[];
  /** The common schema with this `$id`, as read (not closed), or undefined. */
  common(id: string): Record<string, unknown> | undefined;
}

export function createStrictValidator(commonDir: string): StrictValidator {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const commons = new Map<string, Record<string, unknown>>();
  for (const f of readdirSync(commonDir).filter((f) => f.endsWith('.json')).sort()) {
    const s = JSON.parse(readFileSync(join(commonDir, f), 'utf8')) as Record<string, unknown>;
    if (typeof s['$id'] === 'string') commons.set(s['$id'], s);
    ajv.addSchema(strictCopy(s) as object);
  }
  const errors = (schema: object, data: unknown): StrictError[] => {
    const copy = strictCopy(schema) as Record<string, unknown>;
    const id = copy['$id'];
    if (typeof id === 'string' && ajv.getSchema(id)) ajv.removeSchema(id);
    const fn = ajv.compile(copy);
    const ok = fn(data);
    if (typeof id === 'string') ajv.removeSchema(id);
    if (ok) return [];
    return (fn.errors ?? []).map((e) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath, keyword: e.keyword, params: e.params as Record<string, unknown>, message: e.message ?? '' }));
  };
  return {
    errors,
    validate(schema, data) {
      return errors(schema, data).map((e) => `${e.instancePath || '/'} ${e.message}${'additionalProperty' in e.params ? ` (${String(e.params['additionalProperty'])})` : ''}`);
    },
    common: (id) => commons.get(id),
  };
}
