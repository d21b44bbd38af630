import type { Shape } from './catalog-types.js';
import { isRecord } from './json.js';

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * JSON pointers of the properties a payload has that its schema does not know. With `generalize`,
 * array indexes become `*` so that one unknown field of a list is reported once (drift reports).
 */
export function unknownProperties(value: unknown, shape: Shape, generalize = false, base = '', out: string[] = []): string[] {
  if (shape.o) return out;
  if (Array.isArray(value)) {
    if (shape.i) value.forEach((item, i) => unknownProperties(item, shape.i as Shape, generalize, `${base}/${generalize ? '*' : i}`, out));
    return out;
  }
  if (!isRecord(value)) return out;
  if (!shape.p && !shape.a) return out;
  for (const key of Object.keys(value)) {
    const child = shape.p && Object.prototype.hasOwnProperty.call(shape.p, key) ? shape.p[key] : shape.a;
    const pointer = `${base}/${escape(key)}`;
    if (!child) {
      if (!generalize || !out.includes(pointer)) out.push(pointer);
      continue;
    }
    unknownProperties(value[key], child, generalize, pointer, out);
  }
  return out;
}
