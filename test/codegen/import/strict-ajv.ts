import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';

// ajv is CommonJS: depending on the loader the default import is the class or its module object.
type AjvClass = typeof import('ajv').Ajv;
const AjvCtor = ((Ajv as unknown as { default?: unknown }).default ?? Ajv) as AjvClass;

export const COMMON_DIR = join(import.meta.dirname, '../../../schemas/common');

/** Every object schema closed: strict mode (no unknown properties) as the README defines it. */
export function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([n, s]) => [n, closeObjects(s)]));
    } else if (k === 'items' || k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'not') {
      out[k] = closeObjects(v);
    } else {
      out[k] = v;
    }
  }
  if ((out['type'] === 'object' || 'properties' in out) && !('additionalProperties' in out) && !('$ref' in out)) {
    out['additionalProperties'] = false;
  }
  return out;
}

/** An ajv draft-07 instance with the shared definitions (closed) registered. */
export function strictAjv(): InstanceType<AjvClass> {
  const ajv = new AjvCtor({ strict: false, allErrors: true });
  for (const f of readdirSync(COMMON_DIR).filter((f) => f.endsWith('.json')).sort()) {
    ajv.addSchema(closeObjects(JSON.parse(readFileSync(join(COMMON_DIR, f), 'utf8'))) as object);
  }
  return ajv;
}

export function strictValidate(schema: object, data: unknown): { ok: boolean; errors: string } {
  const ajv = strictAjv();
  const validate = ajv.compile(closeObjects(schema) as object);
  const ok = validate(data) === true;
  return { ok, errors: ajv.errorsText(validate.errors) };
}
