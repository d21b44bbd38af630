/**
 * Turns findings into schema changes, one per schema node and kind, each with its evidence (how
 * many payloads, which pointers). Contradictions are listed apart: learn never widens what the
 * evidence agrees on.
 */

import { isObject, type Json, type JsonObject } from '../schema-file.js';
import type { JsonType } from '../../src/util/wire-classes.js';
import { jsonTypeOf } from '../../src/util/wire-classes.js';
import { sameJson } from './diff.js';
import type { Finding } from './diff.js';

export type ChangeKind = 'add-property' | 'add-enum-value' | 'allow-null' | 'widen-type' | 'drop-rule';

export interface Evidence {
  /** How many payloads (captured deliveries, or the counts of a drift report) show it. */
  readonly payloads: number;
  /** The payload pointers it was seen at (array indexes as `*`). */
  readonly pointers: readonly string[];
  readonly eventTypes: readonly string[];
}

export interface Change {
  readonly kind: ChangeKind;
  /** The schema file, relative to schemas/. */
  readonly file: string;
  /** The node to change (add-property: the object that gets the property), a JSON pointer in the file. */
  readonly at: string;
  readonly property?: string | undefined;
  /** add-property: the schema inferred from the values seen (nested objects inline; apply names them). */
  readonly schema?: JsonObject | undefined;
  readonly values?: readonly Json[] | undefined;
  readonly types?: readonly JsonType[] | undefined;
  readonly keyword?: string | undefined;
  /** The nearest title above the node, to name the definitions of a new object property. */
  readonly titleHint?: string | undefined;
  readonly evidence: Evidence;
}

export interface NotLearned {
  readonly eventType: string;
  readonly pointer: string;
  readonly reason: string;
  readonly payloads: number;
  readonly sources: readonly string[];
}

export interface Plan {
  readonly changes: readonly Change[];
  readonly notLearned: readonly NotLearned[];
}

const KIND: Readonly<Record<string, ChangeKind>> = { property: 'add-property', enum: 'add-enum-value', null: 'allow-null', type: 'widen-type', rule: 'drop-rule' };

const TYPE_ORDER: readonly JsonType[] = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];
const sortTypes = (ts: Iterable<JsonType>): JsonType[] => {
  const set = new Set(ts);
  if (set.has('number')) set.delete('integer');
  return TYPE_ORDER.filter((t) => set.has(t));
};

/** A schema for the values seen: their JSON types, the properties of objects, the items of arrays. Never required, never an enum. */
export function inferSchema(values: readonly Json[]): JsonObject {
  const types = sortTypes(values.map((v) => jsonTypeOf(v) as JsonType));
  const out: JsonObject = {};
  if (types.length > 0) out.type = types.length === 1 ? (types[0] as string) : types;
  const objects = values.filter(isObject);
  if (objects.length > 0) {
    const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
    const props: JsonObject = {};
    for (const k of keys) props[k] = inferSchema(objects.filter((o) => k in o).map((o) => o[k] as Json));
    out.properties = props;
  }
  const arrays = values.filter((v): v is Json[] => Array.isArray(v));
  if (arrays.length > 0) out.items = inferSchema(arrays.flat());
  return out;
}

/** A schema for a property known only from a drift report: its JSON types (objects open, arrays of anything). */
function schemaOfTypes(types: readonly JsonType[]): JsonObject {
  const ts = sortTypes(types);
  const out: JsonObject = { type: ts.length === 1 ? (ts[0] as string) : ts };
  if (ts.includes('object')) out.additionalProperties = true;
  return out;
}

interface Group {
  first: Finding;
  sources: Set<string>;
  counts: Map<string, number>;
  pointers: Set<string>;
  eventTypes: Set<string>;
  values: Json[];
  types: Set<JsonType>;
  fromReport: boolean;
}

export function plan(findings: readonly Finding[]): Plan {
  const groups = new Map<string, Group>();
  const contradictions = new Map<string, Group>();
  for (const f of findings) {
    const learnable = f.kind !== 'contradiction' && f.location !== undefined;
    const key = learnable
      ? `${f.kind}\u0000${f.location?.file}\u0000${f.location?.at}\u0000${f.property ?? f.keyword ?? ''}`
      : `${f.eventType}\u0000${f.pointer}\u0000${f.message ?? ''}`;
    const into = learnable ? groups : contradictions;
    let g = into.get(key);
    if (!g) into.set(key, (g = { first: f, sources: new Set(), counts: new Map(), pointers: new Set(), eventTypes: new Set(), values: [], types: new Set(), fromReport: false }));
    g.sources.add(f.source);
    g.counts.set(f.source, Math.max(g.counts.get(f.source) ?? 0, f.count ?? 1));
    g.pointers.add(f.pointer);
    g.eventTypes.add(f.eventType);
    if (f.value !== undefined && (f.kind !== 'enum' || !g.values.some((v) => sameJson(v, f.value)))) g.values.push(f.value);
    for (const t of f.types ?? []) g.types.add(t);
    if (f.count !== undefined) g.fromReport = true;
  }
  const payloads = (g: Group): number => [...g.counts.values()].reduce((a, b) => a + b, 0);
  const changes: Change[] = [];
  for (const g of groups.values()) {
    const f = g.first;
    const kind = KIND[f.kind] as ChangeKind;
    const evidence: Evidence = { payloads: payloads(g), pointers: [...g.pointers].sort(), eventTypes: [...g.eventTypes].sort() };
    const base = { kind, file: f.location?.file ?? '', at: f.location?.at ?? '', evidence };
    if (kind === 'add-property') {
      const schema = g.values.length > 0 ? inferSchema(g.values) : schemaOfTypes([...g.types]);
      changes.push({ ...base, property: f.property, schema, titleHint: f.titleHint });
    } else if (kind === 'add-enum-value') changes.push({ ...base, values: g.values });
    else if (kind === 'drop-rule') changes.push({ ...base, keyword: f.keyword });
    else changes.push({ ...base, types: sortTypes(g.types) });
  }
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  changes.sort((a, b) => cmp(a.file, b.file) || cmp(a.at, b.at) || cmp(a.kind, b.kind) || cmp(a.property ?? '', b.property ?? ''));
  const notLearned: NotLearned[] = [...contradictions.values()].map((g) => ({
    eventType: g.first.eventType,
    pointer: g.first.pointer,
    reason: g.first.message ?? 'contradiction',
    payloads: payloads(g),
    sources: [...g.sources].sort(),
  }));
  notLearned.sort((a, b) => cmp(a.eventType, b.eventType) || cmp(a.pointer, b.pointer) || cmp(a.reason, b.reason));
  return { changes, notLearned };
}

function describeChange(c: Change): string {
  switch (c.kind) {
    case 'add-property': return `add property "${c.property ?? ''}" (${JSON.stringify(c.schema?.type ?? 'any')})`;
    case 'add-enum-value': return `add enum value${(c.values?.length ?? 0) > 1 ? 's' : ''} ${(c.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'allow-null': return 'allow null';
    case 'widen-type': return `widen the type to admit ${(c.types ?? []).join(', ')}`;
    case 'drop-rule': return `drop the rule ${c.keyword ?? ''}`;
  }
}

/** The plan as text: one line per change with its evidence, then what learn leaves alone. */
export function formatPlan(p: Plan, read: { payloads: number; reports: number }): string {
  const lines = [`read ${read.payloads} captured deliver${read.payloads === 1 ? 'y' : 'ies'} and ${read.reports} drift report(s)`];
  if (p.changes.length === 0) lines.push('no schema changes needed');
  else {
    lines.push(`${p.changes.length} schema change(s) would make them valid:`);
    for (const c of p.changes) {
      const ev = c.evidence;
      lines.push(`  ${describeChange(c)} at schemas/${c.file}#${c.at}`);
      lines.push(`    evidence: ${ev.payloads} payload(s) of ${ev.eventTypes.join(', ')} at ${ev.pointers.join(', ')}`);
    }
  }
  if (p.notLearned.length > 0) {
    lines.push(`${p.notLearned.length} problem(s) learn does not change schemas for (contradictions: the evidence for the schema is unanimous, or the input cannot say what to change):`);
    for (const n of p.notLearned) lines.push(`  ${n.eventType} ${n.pointer || '/'}: ${n.reason} (${n.payloads} payload(s): ${n.sources.slice(0, 3).join(', ')}${n.sources.length > 3 ? ', …' : ''})`);
  }
  return lines.join('\n') + '\n';
}
