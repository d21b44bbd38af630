/**
 * Diffs a captured delivery against the schemas, node by node, the way the runtime classifies
 * validation problems (src/runtime/classify.ts, src/util/wire-classes.ts): each finding is drift
 * (unknown property, new enum value, unexpected null, a type where the sources disagreed, a broken
 * rule) located at the schema node that would have to change, or a contradiction learn leaves alone.
 */

import type { LoadedSchema } from '../load.js';
import { refTarget } from '../normalize.js';
import { isObject, type Json, type JsonObject } from '../schema-file.js';
import type { DriftKind, JsonType } from '../../src/util/wire-classes.js';
import { envelopePointers, jsonTypeOf, RULE_KEYWORDS, typeAdmits } from '../../src/util/wire-classes.js';
import type { ReportEntry } from './inputs.js';
import { escapeToken as esc, unescapeToken as unesc } from '../../src/util/json-pointer.js';

export type FindingKind = DriftKind | 'contradiction';

/** Where a change goes: a schema file (relative to schemas/) and a JSON pointer in it. */
export interface SchemaLocation {
  readonly file: string;
  readonly at: string;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly eventType: string;
  readonly source: string;
  /** Pointer into the payload, array indexes as `*`. */
  readonly pointer: string;
  readonly location?: SchemaLocation | undefined;
  /** `property`: the new property's name and the value seen (to infer its schema). */
  readonly property?: string | undefined;
  readonly value?: Json | undefined;
  /** `enum`: the value seen; `type`/`null`/`property` from a report: the JSON types seen. */
  readonly types?: readonly JsonType[] | undefined;
  /** `rule`: the keyword broken. */
  readonly keyword?: string | undefined;
  /** The nearest title above the node (names a definition for a new object property). */
  readonly titleHint?: string | undefined;
  /** `contradiction` and what cannot be learned: why. */
  readonly message?: string | undefined;
  /** How many payloads this finding stands for (a report entry's count; 1 for a payload). */
  readonly count?: number | undefined;
}

interface NodeRef {
  readonly schema: LoadedSchema;
  readonly pointer: string;
  readonly node: Json;
}

const hasOwn = Object.prototype.hasOwnProperty;

export function typesOf(node: JsonObject): string[] {
  const t = node.type;
  return Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
}

export function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function breaks(keyword: string, limit: Json | undefined, v: Json): boolean {
  if (typeof limit === 'string' && keyword === 'pattern') return typeof v === 'string' && !new RegExp(limit, 'u').test(v);
  if (typeof limit !== 'number') return false;
  const len = typeof v === 'string' ? [...v].length : undefined;
  const n = typeof v === 'number' ? v : undefined;
  switch (keyword) {
    case 'minLength': return len !== undefined && len < limit;
    case 'maxLength': return len !== undefined && len > limit;
    case 'minItems': return Array.isArray(v) && v.length < limit;
    case 'maxItems': return Array.isArray(v) && v.length > limit;
    case 'minimum': return n !== undefined && n < limit;
    case 'maximum': return n !== undefined && n > limit;
    case 'exclusiveMinimum': return n !== undefined && n <= limit;
    case 'exclusiveMaximum': return n !== undefined && n >= limit;
    case 'multipleOf': return n !== undefined && limit !== 0 && !Number.isInteger(n / limit);
    default: return false;
  }
}

/** The schemas, indexed by $id and by the event type they describe. */
export class SchemaIndex {
  readonly byId: Map<string, LoadedSchema>;
  private readonly events = new Map<string, LoadedSchema>();

  constructor(readonly schemas: readonly LoadedSchema[]) {
    this.byId = new Map(schemas.map((s) => [s.id, s]));
    for (const s of schemas) {
      const meta = s.json['x-lark'];
      if (!isObject(meta) || typeof meta.event_type !== 'string' || typeof meta.kind !== 'string') continue;
      this.events.set(`${meta.kind === 'p1' ? 'p1' : 'p2'}:${meta.event_type}`, s);
    }
  }

  /** Every title in use (definitions and files), so that a new definition gets a fresh one. */
  titles(): Set<string> {
    const out = new Set<string>();
    const visit = (n: Json): void => {
      if (Array.isArray(n)) n.forEach(visit);
      else if (isObject(n)) {
        if (typeof n.title === 'string') out.add(n.title);
        for (const [k, v] of Object.entries(n)) if (k !== 'examples' && !k.startsWith('x-')) visit(v);
      }
    };
    for (const s of this.schemas) visit(s.json);
    return out;
  }

  eventSchema(eventType: string, kind: 'p1' | 'p2'): LoadedSchema | undefined {
    return this.events.get(`${kind}:${eventType}`);
  }

  /** The event type and schema of a delivery, or why it has none. */
  route(payload: JsonObject): { eventType: string; schema: LoadedSchema } | { eventType?: string; error: string } {
    const header = payload.header;
    if (payload.schema !== undefined || header !== undefined) {
      const t = isObject(header) ? header.event_type : undefined;
      if (typeof t !== 'string') return { error: 'a schema 2.0 delivery without header.event_type' };
      const schema = this.eventSchema(t, 'p2');
      return schema ? { eventType: t, schema } : { eventType: t, error: `no schema for event type "${t}"` };
    }
    const event = payload.event;
    const t = isObject(event) ? event.type : undefined;
    if (typeof t !== 'string') return { error: 'neither a schema 2.0 nor a v1 delivery (no header.event_type, no event.type)' };
    const schema = this.eventSchema(t, 'p1');
    return schema ? { eventType: t, schema } : { eventType: t, error: `no schema for v1 event type "${t}"` };
  }

  resolve(ref: string, from: LoadedSchema): NodeRef {
    const { schema, definition } = refTarget(ref, from, this.byId);
    if (!definition) return { schema, pointer: '', node: schema.json };
    const defs = isObject(schema.json.definitions) ? schema.json.definitions : {};
    const node = defs[definition];
    if (node === undefined) throw new Error(`${from.rel}: $ref "${ref}" points at no definition`);
    return { schema, pointer: `/definitions/${esc(definition)}`, node };
  }

  /** Follows $refs to the node that says what a value is. */
  deref(at: NodeRef): NodeRef {
    let cur = at;
    for (let i = 0; i < 40 && isObject(cur.node) && typeof cur.node.$ref === 'string'; i++) cur = this.resolve(cur.node.$ref, cur.schema);
    return cur;
  }
}

interface Walk {
  readonly ptr: string;
  readonly gptr: string;
  readonly noted: boolean;
  readonly title: string;
}

/** Diffs one delivery against its event's schema. */
export function diffPayload(index: SchemaIndex, payload: JsonObject, source: string): Finding[] {
  // The URL-verification challenge has a fixed shape and no event to learn about.
  if (payload.type === 'url_verification') return [];
  if (typeof payload.encrypt === 'string') return [{ kind: 'contradiction', eventType: '(encrypted)', source, pointer: '', message: 'an encrypted body: capture decrypted deliveries (serve --encrypt-key … --capture decrypts them)' }];
  const route = index.route(payload);
  if ('error' in route) return [{ kind: 'contradiction', eventType: route.eventType ?? '(unroutable)', source, pointer: '', message: route.error }];
  const { eventType, schema } = route;
  const envelope = envelopePointers(payload);
  const out: Finding[] = [];
  const admits = (alt: Json, from: LoadedSchema, v: Json): boolean => {
    const d = index.deref({ schema: from, pointer: '', node: alt });
    if (!isObject(d.node)) return true;
    const ts = typesOf(d.node);
    return ts.length === 0 || ts.some((t) => typeAdmits(t, jsonTypeOf(v) as JsonType));
  };

  const check = (v: Json, at: NodeRef, c: Walk, into: Finding[]): void => {
    const node = at.node;
    if (!isObject(node)) return;
    const noted = c.noted || typeof node['x-lark-note'] === 'string';
    const title = typeof node.title === 'string' ? node.title : c.title;
    const inEnvelope = envelope?.has(c.ptr) ?? false;
    const location = { file: at.schema.rel, at: at.pointer };
    const found = jsonTypeOf(v) as JsonType;
    const push = (f: Omit<Finding, 'eventType' | 'source' | 'pointer'> & { pointer?: string }): void => {
      into.push({ eventType, source, pointer: c.gptr, ...f });
    };
    const contradiction = (message: string, pointer = c.gptr): void => push({ kind: 'contradiction', message, pointer });

    if (typeof node.$ref === 'string') {
      if (v === null) return inEnvelope ? contradiction('null where the envelope needs a value') : push({ kind: 'null', location, types: ['null'] });
      check(v, index.resolve(node.$ref, at.schema), { ...c, noted }, into);
      return;
    }
    const altsKey = Array.isArray(node.anyOf) ? 'anyOf' : Array.isArray(node.oneOf) ? 'oneOf' : undefined;
    if (altsKey) {
      const alts = node[altsKey] as Json[];
      const tries = alts.map((alt, i) => {
        const f: Finding[] = [];
        check(v, { schema: at.schema, pointer: `${at.pointer}/${altsKey}/${i}`, node: alt }, { ...c, noted }, f);
        return f;
      });
      if (tries.some((f) => f.length === 0)) return;
      if (v === null) return inEnvelope ? contradiction('null where the envelope needs a value') : push({ kind: 'null', location, types: ['null'] });
      const fit = alts.findIndex((alt) => admits(alt, at.schema, v));
      if (fit >= 0) {
        into.push(...(tries[fit] ?? []));
        return;
      }
      if (noted && !inEnvelope) return push({ kind: 'type', location, types: [found] });
      return contradiction(`a ${found} matches none of the alternatives`);
    }

    const types = typesOf(node);
    if (types.length > 0 && !types.some((t) => typeAdmits(t, found))) {
      if (inEnvelope) return contradiction(`expected ${types.join(' or ')}, found ${found} (envelope)`);
      if (v === null) return push({ kind: 'null', location, types: ['null'] });
      if (noted) return push({ kind: 'type', location, types: [found] });
      return contradiction(`expected ${types.join(' or ')}, found ${found}`);
    }
    const known = Array.isArray(node.enum) ? node.enum : node.const !== undefined ? [node.const] : undefined;
    if (known && !known.some((e) => sameJson(e, v))) {
      if (inEnvelope) return contradiction(`${JSON.stringify(v)} is not ${known.map((e) => JSON.stringify(e)).join(' or ')} (envelope)`);
      push(v === null ? { kind: 'null', location, types: ['null'] } : { kind: 'enum', location, value: v, types: [found] });
      return;
    }
    for (const keyword of RULE_KEYWORDS) {
      if (keyword in node && breaks(keyword, node[keyword], v)) {
        if (inEnvelope) contradiction(`breaks ${keyword} ${JSON.stringify(node[keyword])} (envelope)`);
        else push({ kind: 'rule', location, keyword, types: [found] });
      }
    }
    if (isObject(v)) {
      const required = Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : [];
      for (const r of required) if (!hasOwn.call(v, r)) contradiction(`missing the required property "${r}"`, `${c.gptr}/${esc(r)}`);
      const props = isObject(node.properties) ? node.properties : undefined;
      for (const [k, child] of Object.entries(v)) {
        const next: Walk = { ptr: `${c.ptr}/${esc(k)}`, gptr: `${c.gptr}/${esc(k)}`, noted: false, title };
        if (props && hasOwn.call(props, k)) check(child, { schema: at.schema, pointer: `${at.pointer}/properties/${esc(k)}`, node: props[k] as Json }, next, into);
        else if (isObject(node.additionalProperties)) check(child, { schema: at.schema, pointer: `${at.pointer}/additionalProperties`, node: node.additionalProperties }, next, into);
        else if (props && node.additionalProperties !== true) into.push({ kind: 'property', eventType, source, pointer: next.gptr, location, property: k, value: child, types: [jsonTypeOf(child) as JsonType], titleHint: title });
      }
    }
    if (Array.isArray(v) && isObject(node.items)) {
      const items = node.items;
      v.forEach((x, i) => check(x, { schema: at.schema, pointer: `${at.pointer}/items`, node: items }, { ptr: `${c.ptr}/${i}`, gptr: `${c.gptr}/*`, noted: false, title }, into));
    }
  };

  check(payload, { schema, pointer: '', node: schema.json }, { ptr: '', gptr: '', noted: false, title: schema.title }, out);
  return out;
}

/** The schema node a report's pointer names (array indexes as `*`), before following its own $ref. */
function locate(index: SchemaIndex, schema: LoadedSchema, pointer: string): { ref: NodeRef; title: string } | undefined {
  let cur: NodeRef = { schema, pointer: '', node: schema.json };
  let title = schema.title;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = unesc(raw);
    let d = index.deref(cur);
    if (!isObject(d.node)) return undefined;
    const alts = Array.isArray(d.node.anyOf) ? 'anyOf' : Array.isArray(d.node.oneOf) ? 'oneOf' : undefined;
    if (alts) {
      const base = d;
      const branch = (base.node as JsonObject)[alts] as Json[];
      const pick = branch.map((alt, i) => index.deref({ schema: base.schema, pointer: `${base.pointer}/${alts}/${i}`, node: alt })).find((b) => isObject(b.node) && (seg === '*' ? b.node.items !== undefined : isObject(b.node.properties) && hasOwn.call(b.node.properties, seg)));
      if (!pick) return undefined;
      d = pick;
    }
    const node = d.node as JsonObject;
    if (typeof node.title === 'string') title = node.title;
    if (seg === '*' && isObject(node.items)) cur = { schema: d.schema, pointer: `${d.pointer}/items`, node: node.items };
    else if (isObject(node.properties) && hasOwn.call(node.properties, seg)) cur = { schema: d.schema, pointer: `${d.pointer}/properties/${esc(seg)}`, node: node.properties[seg] as Json };
    else if (isObject(node.additionalProperties)) cur = { schema: d.schema, pointer: `${d.pointer}/additionalProperties`, node: node.additionalProperties };
    else return undefined;
  }
  return { ref: cur, title };
}

/** Findings from a saved drift report: it keeps JSON types, never values, so enum values and broken rules cannot be learned from it. */
export function diffReport(index: SchemaIndex, report: Readonly<Record<string, readonly ReportEntry[]>>, source: string): Finding[] {
  const out: Finding[] = [];
  for (const [eventType, entries] of Object.entries(report)) {
    const schema = index.eventSchema(eventType, 'p2') ?? index.eventSchema(eventType, 'p1');
    for (const e of entries) {
      const base = { eventType, source, pointer: e.pointer, count: e.count };
      if (!schema) {
        out.push({ ...base, kind: 'contradiction', message: `no schema for event type "${eventType}"` });
        continue;
      }
      if (e.drift === 'enum' || e.drift === 'rule') {
        out.push({ ...base, kind: 'contradiction', message: `a drift report keeps no values: capture deliveries (serve/connect --capture) to learn the ${e.drift === 'enum' ? 'new enum value' : 'rule to drop'}` });
        continue;
      }
      const isProperty = e.drift === 'property';
      const parts = e.pointer.split('/');
      const target = isProperty ? parts.slice(0, -1).join('/') : e.pointer;
      const found = locate(index, schema, target);
      if (!found) {
        out.push({ ...base, kind: 'contradiction', message: `the schema has no node at ${target || '/'}` });
        continue;
      }
      const node = isProperty || e.drift === 'type' ? index.deref(found.ref) : found.ref;
      const location = { file: node.schema.rel, at: node.pointer };
      if (isProperty) out.push({ ...base, kind: 'property', location, property: unesc(parts[parts.length - 1] ?? ''), types: e.types, titleHint: found.title });
      else out.push({ ...base, kind: e.drift, location, types: e.drift === 'null' ? ['null'] : e.types });
    }
  }
  return out;
}
