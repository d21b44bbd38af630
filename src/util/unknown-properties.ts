import { escapeToken } from './json-pointer.js';
/**
 * Known property names of a schema (generated/<domain>/validators.js exports one per event): `p`
 * properties, `i` array items, `a` map values, `o` open object, `n` the sources disagreed on this
 * node (it carries an `x-lark-note`): a type it does not allow is drift (src/runtime/classify.ts).
 * A leaf shared by the runtime (strict mode, drift) and codegen (strict checks of the examples).
 */
export interface Shape {
  readonly p?: Readonly<Record<string, Shape>>;
  readonly i?: Shape;
  readonly a?: Shape;
  readonly o?: 1;
  readonly n?: 1;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * JSON pointers of the properties a payload has that its schema does not know. Pointers are only built on the way to objects and for what is reported: this runs on every
 * delivery in strict mode.
 */
export function unknownProperties(value: unknown, shape: Shape, base = '', out: string[] = []): string[] {
  if (shape.o || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    const item = shape.i;
    if (!item || item.o) return out;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object') unknownProperties(v, item, `${base}/${i}`, out);
    }
    return out;
  }
  const known = shape.p;
  const map = shape.a;
  if (!known && !map) return out;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = known !== undefined && hasOwn.call(known, key) ? known[key] : map;
    if (child === undefined) {
      const pointer = `${base}/${escapeToken(key)}`;
      out.push(pointer);
      continue;
    }
    const v = record[key];
    if (v !== null && typeof v === 'object' && !child.o) unknownProperties(v, child, `${base}/${escapeToken(key)}`, out);
  }
  return out;
}
