import type { LoadedSchema } from './load.js';
import { refTarget } from './normalize.js';
import { isObject, type Json } from './schema-file.js';

/** One row of a reference page's field table. */
export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  description: string;
  notes: string[];
}

function resolve(node: Json, from: LoadedSchema, all: Map<string, LoadedSchema>): { node: Json; from: LoadedSchema; name?: string } {
  if (isObject(node) && typeof node.$ref === 'string') {
    const { schema, definition } = refTarget(node.$ref, from, all);
    const target = definition && isObject(schema.json.definitions) ? schema.json.definitions[definition] : schema.json;
    const name = isObject(target) && typeof target.title === 'string' ? target.title : definition ?? schema.title;
    const resolved = resolve(target ?? {}, schema, all);
    return { ...resolved, name };
  }
  return { node, from };
}

function typeLabel(node: Json, name: string | undefined, from: LoadedSchema, all: Map<string, LoadedSchema>): string {
  if (!isObject(node)) return 'any';
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (Array.isArray(node.oneOf)) return node.oneOf.map((alt) => { const r = resolve(alt, from, all); return typeLabel(r.node, r.name, r.from, all); }).join(' \\| ');
  const types = Array.isArray(node.type) ? node.type.map(String) : typeof node.type === 'string' ? [node.type] : [];
  if (types.includes('array') && node.items !== undefined) {
    const r = resolve(node.items as Json, from, all);
    return `${typeLabel(r.node, r.name, r.from, all)}[]`;
  }
  if (name && types.includes('object')) return name;
  if (node['x-lark-type'] === 'int64') return 'int64 (string)';
  return types.join(' \\| ') || 'any';
}

function notesOf(node: Json): string[] {
  if (!isObject(node)) return [];
  const notes: string[] = [];
  const enumDesc = isObject(node['x-lark-enum-descriptions']) ? node['x-lark-enum-descriptions'] : {};
  if (Array.isArray(node.enum)) notes.push('values: ' + node.enum.map((v) => `\`${JSON.stringify(v)}\`${enumDesc[String(v)] ? ` ${String(enumDesc[String(v)])}` : ''}`).join(', '));
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'pattern'] as const) {
    if (node[k] !== undefined) notes.push(`${k} ${String(node[k])}`);
  }
  const perms = node['x-lark-field-permissions'];
  if (Array.isArray(perms) && perms.length) notes.push(`needs ${perms.map((p) => `\`${String(p)}\``).join(' or ')}`);
  return notes;
}

/** Flattens a schema into field rows, following $refs (and stopping on repeats). */
export function fieldRows(schema: LoadedSchema, all: Map<string, LoadedSchema>): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (node: Json, from: LoadedSchema, path: string, depth: number, stack: string[]): void => {
    if (!isObject(node) || depth > 12) return;
    const props = isObject(node.properties) ? node.properties : undefined;
    const required = new Set(Array.isArray(node.required) ? node.required.map(String) : []);
    if (props) {
      for (const [key, raw] of Object.entries(props)) {
        const r = resolve(raw, from, all);
        const description = (isObject(raw) && typeof raw.description === 'string' ? raw.description : undefined)
          ?? (isObject(r.node) && typeof r.node.description === 'string' ? r.node.description : '');
        const child = `${path}${path ? '.' : ''}${key}`;
        rows.push({ path: child, type: typeLabel(r.node, r.name, r.from, all), required: required.has(key), description, notes: [...notesOf(raw), ...notesOf(r.node)] });
        const next = isObject(r.node) && isObject(r.node.items) ? resolve(r.node.items, r.from, all) : r;
        if (r.name && stack.includes(r.name)) continue;
        visit(next.node, next.from, child + (next === r ? '' : '[]'), depth + 1, r.name ? [...stack, r.name] : stack);
      }
    }
  };
  visit(schema.json, schema, '', 0, []);
  return rows;
}

export interface RequiredShare {
  domain: string;
  required: number;
  total: number;
  /** required / total (0 when there are no fields). */
  share: number;
}

/**
 * How many of the event-body fields (every row under `event.`, nested ones included) are required,
 * per domain and in all (`domain: 'total'`, last). The types make exactly these fields non-optional.
 */
export function requiredShares(events: ReadonlyArray<{ domain: string; schema: LoadedSchema }>, all: Map<string, LoadedSchema>): RequiredShare[] {
  const by = new Map<string, { required: number; total: number }>();
  for (const e of events) {
    const acc = by.get(e.domain) ?? { required: 0, total: 0 };
    for (const row of fieldRows(e.schema, all)) {
      if (!row.path.startsWith('event.')) continue;
      acc.total++;
      if (row.required) acc.required++;
    }
    by.set(e.domain, acc);
  }
  const rows = [...by.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([domain, c]) => ({ domain, ...c, share: c.total === 0 ? 0 : c.required / c.total }));
  const required = rows.reduce((n, r) => n + r.required, 0);
  const total = rows.reduce((n, r) => n + r.total, 0);
  return [...rows, { domain: 'total', required, total, share: total === 0 ? 0 : required / total }];
}
