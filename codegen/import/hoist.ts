/**
 * Domain-level hoisting: a definition that several events of one domain declare with the same shape
 * becomes one definition in `schemas/<domain>/definitions.json` (schemas/README.md).
 *
 * An event's sub-objects are named `<TypeName><Suffix>`, the suffix being `PascalCase(doc type)`
 * (./to-schema.ts). Two events declare "the same" definition when the suffixes are equal and the
 * shapes are: the canonical JSON (keys sorted) of the definition without `title` and `description`
 * (at every depth), its local `#/definitions/<TypeName><S>` refs read as "the suffix S of this event".
 * Provenance (`x-lark-source`, `x-lark-note`), enum meanings and field permissions are part of the
 * shape: they would otherwise be lost or misattributed for some of the events.
 *
 * Such a definition moves to `definitions.json#/definitions/<DomainPascal><Suffix>` when
 * - at least two events of the domain declare it with that shape,
 * - every local definition it refers to moves too (so the shared file never points back into an
 *   event; iterated to a fixpoint),
 * - it is not an event body (`<TypeName>Data`).
 * Name clashes (one suffix, different shapes in different events): one shape per name, the one most
 * events can share, is hoisted (ties: the one whose first event comes first in sorted event-type
 * order); the events with another shape keep their own definition. Definitions the fixpoint leaves
 * out (a definition they refer to stays in their event) no longer count, and the shapes are chosen
 * again until nothing more drops out, so a name goes to the shape that most events really share.
 * Descriptions (the definition's and its properties') and property order come from the first event,
 * in sorted event-type order, that shares the definition; a `$ref` keeps its own sibling `description`.
 * A definition nothing in its event refers to is never moved.
 *
 * Files the importer does not write (Node SDK-derived, hand-written: "locked") take part only where
 * nothing written by hand is lost: their definition must equal the shared one descriptions included
 * (then that wording is the shared one), and their text is edited in place (`editSchemaText`) so their
 * formatting stays. A domain with a hand-written definitions.json (callback) is left alone.
 *
 * The pass is a function of the per-event form: events already read from disk with refs into the
 * domain's definitions.json are first turned back into per-event definitions (`unhoistEvent`), so
 * importing one page and importing the whole catalog give the same files.
 */

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pascalCase } from './field-types.js';
import type { Problem } from './parse-page.js';
import { membersOf, skipSpace, type Member } from '../json-text.js';
import { SCHEMA_BASE, TOP_ORDER, isObject, orderKeys, serializeSchema as serialize, type Json, type JsonObject } from '../schema-file.js';

/** The shared-definitions file of a domain. */
export const SHARED_FILE = 'definitions.json';
const SHARED_REF = `${SHARED_FILE}#/definitions/`;
const LOCAL_REF = '#/definitions/';

/** `meeting_room` → `MeetingRoom`, `v1` → `V1`, `security_and_compliance` → `SecurityAndCompliance`. */
export function domainPascal(domain: string): string {
  return pascalCase(domain);
}

/** The description that marks a definitions.json as written by this pass (and so rewritable by it). */
export function sharedDescription(domain: string): string {
  return `Shapes that several ${domain} events share: definitions the importer hoisted out of the events (codegen/import/hoist.ts).`;
}

/** Whether a domain's definitions.json is this pass's to rewrite (a hand-written one is not). */
export function isHoistedShared(domain: string, shared: JsonObject): boolean {
  return shared['description'] === sharedDescription(domain);
}

function definitionsOf(schema: JsonObject): JsonObject {
  return isObject(schema['definitions']) ? schema['definitions'] : {};
}

/** Keys whose values are instance data or metadata, not schema: no `$ref` in them is rewritten. */
const NOT_SCHEMA = new Set(['examples', 'x-lark']);

/** A copy of `node` with every `$ref` string mapped (at the top level of an event: not inside examples or x-lark). */
function mapRefs(node: Json, map: (ref: string) => string, top = false): Json {
  if (Array.isArray(node)) return node.map((v) => mapRefs(v, map));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (top && NOT_SCHEMA.has(k)) out[k] = v;
    else if (k === '$ref' && typeof v === 'string') out[k] = map(v);
    else out[k] = mapRefs(v, map);
  }
  return out;
}

function collectRefs(node: Json, into: Set<string>, top = false): Set<string> {
  if (Array.isArray(node)) for (const v of node) collectRefs(v, into);
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (top && NOT_SCHEMA.has(k)) continue;
      if (k === '$ref' && typeof v === 'string') into.add(v);
      else collectRefs(v, into);
    }
  }
  return into;
}

const NOT_SHAPE = new Set(['title', 'description']);

function sortKeys(node: Json): Json {
  if (Array.isArray(node)) return node.map(sortKeys);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const k of Object.keys(node).sort()) out[k] = sortKeys(node[k] as Json);
  return out;
}

function canonical(node: Json): Json {
  if (Array.isArray(node)) return node.map(canonical);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const k of Object.keys(node).sort()) if (!NOT_SHAPE.has(k)) out[k] = canonical(node[k] as Json);
  return out;
}

/** Data first, then the other definitions sorted by name: the order ./to-schema.ts writes. */
export function sortDefinitions(defs: JsonObject, dataName: string): JsonObject {
  const out: JsonObject = {};
  if (dataName in defs) out[dataName] = defs[dataName] as Json;
  for (const k of Object.keys(defs).sort()) if (k !== dataName) out[k] = defs[k] as Json;
  return out;
}

function withDefinitions(schema: JsonObject, defs: JsonObject): JsonObject {
  const out: JsonObject = { ...schema, definitions: defs };
  return orderKeys(out, TOP_ORDER);
}

/**
 * An event with refs into its domain's definitions.json (`shared`: that file's `definitions`) turned
 * back into the per-event form: each shared definition it uses (with what those use) becomes
 * `<TypeName><Suffix>` again. Throws on a ref to a definition `shared` lacks.
 */
export function unhoistEvent(schema: JsonObject, domain: string, shared: JsonObject): JsonObject {
  const prefix = domainPascal(domain);
  const typeName = String(schema['title']);
  const wanted = [...collectRefs(schema, new Set(), true)].filter((r) => r.startsWith(SHARED_REF)).map((r) => r.slice(SHARED_REF.length));
  if (wanted.length === 0) return schema;
  const localName = (name: string): string => {
    if (!name.startsWith(prefix) || name.length === prefix.length) throw new Error(`${typeName}: shared definition ${name} is not named ${prefix}<Suffix>`);
    return typeName + name.slice(prefix.length);
  };
  const rewritten = mapRefs(schema, (r) => (r.startsWith(SHARED_REF) ? LOCAL_REF + localName(r.slice(SHARED_REF.length)) : r), true) as JsonObject;
  const defs: JsonObject = { ...definitionsOf(rewritten) };
  const queue = [...wanted];
  const done = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (done.has(name)) continue;
    done.add(name);
    const def = shared[name];
    if (!isObject(def)) throw new Error(`${typeName}: ${SHARED_REF}${name} is not in ${domain}/${SHARED_FILE}`);
    const local = localName(name);
    const copy = mapRefs(def, (r) => {
      if (!r.startsWith(LOCAL_REF)) return r;
      const inner = r.slice(LOCAL_REF.length);
      queue.push(inner);
      return LOCAL_REF + localName(inner);
    }) as JsonObject;
    if ('title' in copy) copy['title'] = local;
    if (local in defs) throw new Error(`${typeName}: ${local} is both a local and a shared definition`);
    defs[local] = copy;
  }
  return withDefinitions(rewritten, sortDefinitions(defs, `${typeName}Data`));
}

interface Entry {
  event: number;
  name: string;
  suffix: string;
  /** Canonical JSON without titles and descriptions. */
  shape: string;
  /** Canonical JSON without titles (descriptions kept): what a locked event must match. */
  full: string;
  locked: boolean;
  /** Local definitions it refers to (names in its own event). */
  refs: string[];
  member: boolean;
}

/** One event of a domain, in the per-event form. */
export interface DomainEvent {
  schema: JsonObject;
  /**
   * A file the importer does not write (SDK-derived, hand-written): its definitions move only when
   * they equal the shared one descriptions included, so nothing written by hand is lost.
   */
  locked?: boolean;
}

export interface HoistResult {
  /** The events, in the order given, with hoisted definitions replaced by refs into definitions.json. */
  events: JsonObject[];
  /** Per event: local definition name → shared name, for the definitions that moved. */
  moved: Array<Map<string, string>>;
  /** The domain's definitions.json, or null when no definition is shared. */
  shared: JsonObject | null;
  /** The names of the shared definitions, sorted. */
  hoisted: string[];
}

/** The local definitions an event uses, from its properties down. */
function reachableDefinitions(schema: JsonObject): Set<string> {
  const defs = definitionsOf(schema);
  const { definitions: _defs, ...rest } = schema;
  const seen = new Set<string>();
  const queue = [...collectRefs(rest, new Set(), true)];
  while (queue.length > 0) {
    const r = queue.shift() as string;
    if (!r.startsWith(LOCAL_REF)) continue;
    const name = r.slice(LOCAL_REF.length);
    if (seen.has(name) || !(name in defs)) continue;
    seen.add(name);
    queue.push(...collectRefs(defs[name] as Json, new Set()));
  }
  return seen;
}

function mostCommon(values: Iterable<string>): { value: string; count: number } | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: { value: string; count: number } | null = null;
  // Map iteration follows first occurrence: ties go to the value seen first.
  for (const [value, count] of counts) if (!best || count > best.count) best = { value, count };
  return best;
}

/**
 * Hoists the definitions that ≥ 2 of `events` (all in the per-event form, all of `domain`) share.
 * The result does not depend on the order of `events` (it is returned in that order).
 *
 * Locked events (see `DomainEvent.locked`) take part only with the description variant of a shape
 * that most locked events declare; when a locked event ends up sharing a definition, the shared
 * definition is that variant (the importer's events adopt its descriptions), else it is the first
 * sharing event's in event-type order.
 */
export function hoistDomain(domain: string, input: readonly DomainEvent[]): HoistResult {
  const prefix = domainPascal(domain);
  const events = input.map((e) => e.schema);
  const typeNames = events.map((e) => String(e['title']));
  const eventKey = (i: number): string => {
    const meta = events[i]?.['x-lark'];
    return isObject(meta) && typeof meta['event_type'] === 'string' ? meta['event_type'] : (typeNames[i] ?? '');
  };
  const order = events.map((_, i) => i).sort((a, b) => {
    const ka = eventKey(a);
    const kb = eventKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });

  const entries: Entry[] = [];
  const byEvent = new Map<number, Map<string, Entry>>();
  for (const i of order) {
    const typeName = typeNames[i] as string;
    const local = new Map<string, Entry>();
    byEvent.set(i, local);
    const defs = definitionsOf(events[i] as JsonObject);
    const reachable = reachableDefinitions(events[i] as JsonObject);
    for (const name of Object.keys(defs).sort()) {
      const def = defs[name] as Json;
      // A definition nothing refers to stays: unhoistEvent could not bring it back.
      if (!reachable.has(name)) continue;
      const suffix = name.slice(typeName.length);
      if (!name.startsWith(typeName) || suffix === '' || suffix === 'Data' || !/^[A-Z]/.test(suffix) || !isObject(def)) continue;
      const refs: string[] = [];
      const normalized = mapRefs(def, (r) => {
        if (!r.startsWith(LOCAL_REF)) return r;
        const target = r.slice(LOCAL_REF.length);
        refs.push(target);
        return target.startsWith(typeName) ? `${LOCAL_REF}*${target.slice(typeName.length)}` : r;
      });
      const { title: _title, ...untitled } = normalized as JsonObject;
      const entry: Entry = {
        event: i, name, suffix, refs, member: false, locked: input[i]?.locked === true,
        shape: JSON.stringify(canonical(normalized)), full: JSON.stringify(sortKeys(untitled)),
      };
      entries.push(entry);
      local.set(name, entry);
    }
  }

  const bySuffix = new Map<string, Entry[]>();
  for (const e of entries) bySuffix.set(e.suffix, [...(bySuffix.get(e.suffix) ?? []), e]);
  // Entries that cannot share: a definition they refer to stays in their event.
  const excluded = new Set<Entry>();
  for (;;) {
    // Per suffix one shape (and, for locked events, one description variant of it): the one most
    // events could share; ties to the one seen first (entries are in event-type order).
    const chosen = new Map<string, { shape: string; variant: string | null }>();
    for (const [suffix, all] of bySuffix) {
      const list = all.filter((e) => !excluded.has(e));
      let best: { shape: string; variant: string | null; count: number } | null = null;
      for (const shape of new Set(list.map((e) => e.shape))) {
        const same = list.filter((e) => e.shape === shape);
        const variant = mostCommon(same.filter((e) => e.locked).map((e) => e.full));
        const count = same.filter((e) => !e.locked).length + (variant?.count ?? 0);
        if (!best || count > best.count) best = { shape, variant: variant?.value ?? null, count };
      }
      if (best && best.count >= 2) chosen.set(suffix, best);
    }
    for (const e of entries) {
      const c = chosen.get(e.suffix);
      e.member = !excluded.has(e) && c !== undefined && c.shape === e.shape && (!e.locked || c.variant === e.full);
    }
    // Fixpoint: a member whose refs leave the members drops out (and is excluded from the next
    // choice); a suffix with < 2 members drops out.
    const dropped: Entry[] = [];
    for (let changed = true; changed;) {
      changed = false;
      for (const e of entries) {
        if (!e.member) continue;
        const local = byEvent.get(e.event) as Map<string, Entry>;
        if (e.refs.some((r) => !local.get(r)?.member)) { e.member = false; dropped.push(e); changed = true; }
      }
      const count = new Map<string, number>();
      for (const e of entries) if (e.member) count.set(e.suffix, (count.get(e.suffix) ?? 0) + 1);
      for (const e of entries) {
        if (e.member && (count.get(e.suffix) ?? 0) < 2) { e.member = false; changed = true; }
      }
    }
    // Choose again without them: another shape of their name may now be the one most events share.
    if (dropped.length === 0) break;
    for (const e of dropped) excluded.add(e);
  }

  const sharedName = (suffix: string): string => prefix + suffix;
  const sharedDefs = new Map<string, JsonObject>();
  for (const [suffix, list] of bySuffix) {
    const members = list.filter((e) => e.member);
    const from = members.find((e) => e.locked) ?? members[0];
    if (!from) continue;
    const typeName = typeNames[from.event] as string;
    const def = definitionsOf(events[from.event] as JsonObject)[from.name] as JsonObject;
    const copy = mapRefs(def, (r) => (r.startsWith(LOCAL_REF) ? LOCAL_REF + sharedName(r.slice(LOCAL_REF.length + typeName.length)) : r)) as JsonObject;
    if ('title' in copy) copy['title'] = sharedName(suffix);
    sharedDefs.set(sharedName(suffix), copy);
  }

  const moved = events.map((_, i) => {
    const m = new Map<string, string>();
    for (const e of (byEvent.get(i) as Map<string, Entry>).values()) if (e.member) m.set(e.name, sharedName(e.suffix));
    return m;
  });
  const out = events.map((schema, i) => {
    const m = moved[i] as Map<string, string>;
    if (m.size === 0) return schema;
    const defs: JsonObject = {};
    for (const [name, def] of Object.entries(definitionsOf(schema))) if (!m.has(name)) defs[name] = def;
    return mapRefs(withDefinitions(schema, defs), (r) => {
      const target = r.startsWith(LOCAL_REF) ? m.get(r.slice(LOCAL_REF.length)) : undefined;
      return target ? SHARED_REF + target : r;
    }, true) as JsonObject;
  });

  const hoisted = [...sharedDefs.keys()].sort();
  if (hoisted.length === 0) return { events: out, moved, shared: null, hoisted };
  const definitions: JsonObject = {};
  for (const name of hoisted) definitions[name] = sharedDefs.get(name) as JsonObject;
  const shared: JsonObject = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${SCHEMA_BASE}/${domain}/${SHARED_FILE}`,
    title: `${prefix}Definitions`,
    description: sharedDescription(domain),
    definitions,
  };
  return { events: out, moved, shared, hoisted };
}

// ---------------------------------------------------------------------------------------------
// Locked files keep their own formatting: definitions move in and out by editing the text.

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The text of a schema file edited into `after`, keeping the formatting of what stays: `after`
 * differs from the file by definitions that moved to (or back from) definitions.json and the refs
 * to them. Definitions coming back are appended to `definitions`, formatted like serializeSchema.
 * Returns null when the edit does not give `after` (the caller then writes `after` in full).
 */
export function editSchemaText(text: string, after: JsonObject, domain: string): string | null {
  let before: JsonObject;
  try { before = JSON.parse(text) as JsonObject; } catch { return null; }
  const defsBefore = definitionsOf(before);
  const defsAfter = definitionsOf(after);
  const removed = Object.keys(defsBefore).filter((k) => !(k in defsAfter));
  const added = Object.keys(defsAfter).filter((k) => !(k in defsBefore));
  const typeName = String(after['title']);
  const prefix = domainPascal(domain);
  /** The shared name of a local definition, or null. */
  const sharedOf = (local: string): string | null => (local.startsWith(typeName) && local.length > typeName.length ? prefix + local.slice(typeName.length) : null);
  let t = text;
  // Refs: `#/definitions/<local>` ↔ `definitions.json#/definitions/<shared>` as `after` has them.
  const refsAfter = collectRefs(after, new Set(), true);
  const replaceRef = (from: string, to: string): void => {
    t = t.replace(new RegExp(`("\\$ref"\\s*:\\s*)${escapeRegExp(JSON.stringify(from))}`, 'g'), (_m, head: string) => head + JSON.stringify(to));
  };
  const refsBefore = collectRefs(before, new Set(), true);
  for (const r of refsBefore) {
    if (refsAfter.has(r)) continue;
    let to: string | null = null;
    if (r.startsWith(LOCAL_REF)) {
      const shared = sharedOf(r.slice(LOCAL_REF.length));
      if (shared !== null) to = SHARED_REF + shared;
    } else if (r.startsWith(SHARED_REF)) {
      const local = added.find((k) => sharedOf(k) === r.slice(SHARED_REF.length));
      if (local !== undefined) to = LOCAL_REF + local;
    }
    if (to !== null && refsAfter.has(to)) replaceRef(r, to);
    // Else only the definitions that move out used it (checked at the end).
    else if (!(r.startsWith(LOCAL_REF) && removed.includes(r.slice(LOCAL_REF.length)))) return null;
  }
  // Definitions out (one at a time, the text scanned afresh each time), then in.
  const definitionMembers = (): Member[] | null => {
    const at = membersOf(t, skipSpace(t, 0)).members.find((m) => m.key === 'definitions');
    return at && t[at.valueStart] === '{' ? membersOf(t, at.valueStart).members : null;
  };
  for (const key of removed) {
    const inner = definitionMembers();
    const i = inner ? inner.findIndex((m) => m.key === key) : -1;
    const m = inner?.[i];
    if (!inner || !m) return null;
    const next = inner[i + 1];
    const prev = inner[i - 1];
    if (next) t = t.slice(0, m.keyStart) + t.slice(next.keyStart);
    else if (prev) t = t.slice(0, prev.valueEnd) + t.slice(m.valueEnd);
    else t = t.slice(0, m.keyStart) + t.slice(m.valueEnd);
  }
  if (added.length > 0) {
    const inner = definitionMembers();
    const last = inner?.[inner.length - 1];
    if (!last) return null;
    const lineStart = t.lastIndexOf('\n', last.keyStart) + 1;
    const indent = t.slice(lineStart, last.keyStart);
    if (!/^ *$/.test(indent)) return null;
    const block = added.map((k) => `,\n${indent}${JSON.stringify(k)}: ${JSON.stringify(defsAfter[k], null, 2).replace(/\n/g, `\n${indent}`)}`).join('');
    t = t.slice(0, last.valueEnd) + block + t.slice(last.valueEnd);
  }
  let parsed: Json;
  try { parsed = JSON.parse(t) as Json; } catch { return null; }
  return JSON.stringify(sortKeys(parsed)) === JSON.stringify(sortKeys(after)) ? t : null;
}

// ---------------------------------------------------------------------------------------------
// The pass over the files of the domains an import run touched.

const IMPORTER_SOURCE = /^(?:events\/|note: same shape as )/;

/**
 * A file this importer writes (and so may rewrite from its parsed form): one it made from a page or
 * mirrored from a sibling, as it serializes it. Anything else (Node SDK-derived, hand-written) is
 * locked: it takes part in the hoisting only without losing a description, and keeps its formatting.
 */
function isImporterFile(schema: JsonObject, text: string): boolean {
  const meta = schema['x-lark'];
  return isObject(meta) && typeof meta['source'] === 'string' && IMPORTER_SOURCE.test(meta['source']) && serialize(schema) === text;
}

export interface ProducedSchema {
  file: string;
  domain: string;
  schema: JsonObject;
}

export interface HoistedFiles {
  /** File → the text to write: every produced schema, and the other files the pass changed. */
  texts: Map<string, string>;
  /** Files to delete (a definitions.json of this pass that no longer shares anything). */
  remove: string[];
  /** Domain → the names its definitions.json now holds (domains with none left out). */
  hoisted: Map<string, string[]>;
}

/**
 * Hoists the shared definitions of every domain in `produced`, over the produced schemas and the
 * other schema files already in `<outDir>/<domain>/`. A domain whose definitions.json is hand-written
 * (not this pass's) is left alone.
 */
export function hoistFiles(outDir: string, produced: readonly ProducedSchema[], problems: Problem[]): HoistedFiles {
  const out: HoistedFiles = { texts: new Map(), remove: [], hoisted: new Map() };
  const domains = [...new Set(produced.map((p) => p.domain))].sort();
  for (const domain of domains) {
    const mine = produced.filter((p) => p.domain === domain);
    const asIs = (): void => { for (const p of mine) out.texts.set(p.file, serialize(p.schema)); };
    const dir = join(outDir, domain);
    const sharedFile = join(dir, SHARED_FILE);
    let shared: JsonObject = {};
    let sharedText: string | null = null;
    if (existsSync(sharedFile)) {
      sharedText = readFileSync(sharedFile, 'utf8');
      let json: Json;
      try { json = JSON.parse(sharedText) as Json; } catch (e) {
        problems.push({ page: sharedFile, line: 0, message: `not JSON (${e instanceof Error ? e.message : String(e)}); shared definitions not hoisted`, severity: 'error' });
        asIs();
        continue;
      }
      if (!isObject(json) || !isHoistedShared(domain, json)) {
        problems.push({ page: sharedFile, line: 0, message: `${domain}/${SHARED_FILE} is not the importer's; shared definitions of ${domain} not hoisted`, severity: 'warning' });
        asIs();
        continue;
      }
      shared = definitionsOf(json);
    }

    interface Item { file: string; text: string | null; locked: boolean; original: JsonObject; schema: JsonObject }
    const items: Item[] = mine.map((p) => ({ file: p.file, text: null, locked: false, original: p.schema, schema: p.schema }));
    const producedFiles = new Set(mine.map((p) => p.file));
    let failed = false;
    const onDisk = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json') && f !== SHARED_FILE).sort() : [];
    for (const f of onDisk) {
      const file = join(dir, f);
      if (producedFiles.has(file)) continue;
      const text = readFileSync(file, 'utf8');
      let json: Json;
      try { json = JSON.parse(text) as Json; } catch { json = null; }
      if (!isObject(json) || typeof json['title'] !== 'string') {
        problems.push({ page: file, line: 0, message: `not a schema; shared definitions of ${domain} not hoisted`, severity: 'error' });
        failed = true;
        break;
      }
      items.push({ file, text, locked: !isImporterFile(json, text), original: json, schema: json });
    }
    if (!failed) {
      for (const it of items) {
        try {
          it.schema = unhoistEvent(it.schema, domain, shared);
        } catch (e) {
          problems.push({ page: it.file, line: 0, message: `${e instanceof Error ? e.message : String(e)}; shared definitions of ${domain} not hoisted`, severity: 'error' });
          failed = true;
        }
      }
    }
    if (failed) { asIs(); continue; }

    const result = hoistDomain(domain, items.map((it) => ({ schema: it.schema, locked: it.locked })));
    items.forEach((it, i) => {
      const after = result.events[i] as JsonObject;
      if (it.text === null) { out.texts.set(it.file, serialize(after)); return; }
      if (JSON.stringify(sortKeys(after)) === JSON.stringify(sortKeys(it.original))) return;
      let text = it.locked ? editSchemaText(it.text, after, domain) : serialize(after);
      if (text === null) {
        problems.push({ page: it.file, line: 0, message: 'could not move definitions in the text of this file; rewritten in full', severity: 'warning' });
        text = serialize(after);
      }
      if (text !== it.text) out.texts.set(it.file, text);
    });
    if (result.shared) {
      const text = serialize(result.shared);
      if (text !== sharedText) out.texts.set(sharedFile, text);
      out.hoisted.set(domain, result.hoisted);
    } else if (sharedText !== null) {
      out.remove.push(sharedFile);
    }
  }
  return out;
}
