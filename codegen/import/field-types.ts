/** Doc type strings ("int", "user_id\[\]", "\-", …) → a classified type. */

export type ScalarKind = 'string' | 'integer' | 'int64' | 'number' | 'boolean';

export type DocType =
  | { kind: 'scalar'; scalar: ScalarKind; raw: string }
  /** `minItems`/`maxItems` only for fixed-length tuples typed by the Node SDK (`[number, number]`). */
  | { kind: 'array'; item: DocType; raw: string; minItems?: number; maxItems?: number }
  /** A named object type (`user_id`, `app_scope`), `object`, or a `-` container. */
  | { kind: 'object'; name: string | null; raw: string }
  /** A free-form value: `Map`, `any`, `json` … (no children documented). */
  | { kind: 'any'; raw: string }
  /** A map with typed values (`Record<string, string>` in the Node SDK typings). */
  | { kind: 'map'; values: DocType; raw: string }
  /** `object/ string`: one of several JSON types. */
  | { kind: 'union'; types: string[]; raw: string };

const SCALARS: Record<string, ScalarKind> = {
  string: 'string',
  str: 'string',
  int: 'integer',
  integer: 'integer',
  int32: 'integer',
  long: 'int64',
  int64: 'int64',
  number: 'number',
  float: 'number',
  double: 'number',
  float64: 'number',
  boolean: 'boolean',
  bool: 'boolean',
};

/** Names that say "an object" without naming its type. */
const ANONYMOUS_OBJECTS = new Set(['', '-', '/-', 'object', 'object/', 'struct', 'map', 'json']);

/** Strips markdown escapes and code ticks: "`app_scope\[\]`" → "app_scope[]". */
export function cleanDocType(raw: string): string {
  return raw
    .replace(/`/g, '')
    .replace(/\\([[\]\-_*])/g, '$1')
    .replace(/&nbsp;/g, ' ')
    .trim();
}

export function parseDocType(raw: string): DocType | null {
  const t = cleanDocType(raw);
  if (t.endsWith('[]')) {
    const inner = parseDocType(t.slice(0, -2));
    if (!inner) return null;
    return { kind: 'array', item: inner, raw: t };
  }
  const lower = t.toLowerCase();
  if (/^[a-z]+(\s*\/\s*[a-z]+)+$/.test(lower)) {
    const types: string[] = [];
    for (const part of lower.split('/').map((p) => p.trim())) {
      const sub = parseDocType(part);
      if (!sub) return null;
      const json = jsonTypeOf(sub);
      if (!types.includes(json)) types.push(json);
    }
    return { kind: 'union', types, raw: t };
  }
  if (lower === 'list' || lower === 'array') {
    // Item type unknown: objects if children follow, else strings (decided by the tree).
    return { kind: 'array', item: { kind: 'any', raw: 'any' }, raw: t };
  }
  const scalar = SCALARS[lower];
  if (scalar) return { kind: 'scalar', scalar, raw: t };
  if (lower === 'map' || lower === 'any' || lower === 'interface{}') return { kind: 'any', raw: t };
  if (ANONYMOUS_OBJECTS.has(lower)) return { kind: 'object', name: null, raw: t };
  // A named type: identifiers, dots, camelCase (`departmentLeader`, `chat.member.user`).
  if (/^[A-Za-z][A-Za-z0-9_.]*$/.test(t)) return { kind: 'object', name: t, raw: t };
  return null;
}

/** The JSON type a (non-union) doc type is sent as; `any` has none and reads as `object` here. */
export function jsonTypeOf(t: DocType): string {
  if (t.kind === 'scalar') return t.scalar === 'int64' ? 'string' : t.scalar;
  if (t.kind === 'array') return 'array';
  return 'object';
}

/** True when the type can carry child rows. */
export function isObjectLike(t: DocType): boolean {
  if (t.kind === 'object') return true;
  if (t.kind === 'array') return isObjectLike(t.item) || t.item.kind === 'any';
  return false;
}

/** The object type name inside `x` or `x[]`. */
export function objectTypeName(t: DocType): string | null {
  if (t.kind === 'object') return t.name;
  if (t.kind === 'array') return objectTypeName(t.item);
  return null;
}

export function pascalCase(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
