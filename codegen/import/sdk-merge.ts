/**
 * Reconciles a page's field tree with the handler typings of the official Node SDK
 * (`@larksuiteoapi/node-sdk`, read by ./node-sdk.ts), before the tree becomes a schema:
 *
 * - every field the SDK types that the page lacks is added where the SDK puts it (recursively, into
 *   the object or array item that holds it), typed from the SDK and annotated
 *   `x-lark-source: "node-sdk"`;
 * - where the page and the SDK type a field incompatibly, the page's own official example decides
 *   (it is what the wire sent); without one, the SDK's type wins. Each decision is recorded on the
 *   field as `x-lark-note` and in the report, so that a type kept against the SDK can be listed as a
 *   deliberate exception of test/official-sdk/node-sdk-coverage.test.ts.
 *
 * "Compatible" follows that test: SDK `number` matches `integer` or `number`, `string` matches any
 * string (int64 included), `any` matches everything, literal unions must fit the JSON type and,
 * where the page has an enum, be a subset or superset of it.
 *
 * Everything here is a function of (tree, SDK fields, example): same inputs, same output.
 */

import type { FieldNode } from './field-tree.js';
import { jsonTypeOf, objectTypeName, type DocType } from './field-types.js';
import type { SdkField, SdkLiteral, SdkType } from './node-sdk.js';
import { bodyFields } from './node-sdk.js';
import type { Problem } from './parse-page.js';
import { parseDescription } from './rules.js';

export const MERGED_DESCRIPTION = 'Typed by the official Node SDK; not in the reference page.';
export const SDK_SOURCE = 'node-sdk';

export interface SdkDecision {
  /** The field as the SDK flattens it (`object.timestamp`, `ticket.comments`, `leave_detail`). */
  path: string;
  pageType: string;
  sdkType: string;
  winner: 'page' | 'sdk';
  /** The evidence: what the page's example shows, or that it shows nothing. */
  reason: string;
}

export interface SdkMergeReport {
  /** Fields added from the SDK (top of each added subtree), as the SDK flattens them. */
  merged: string[];
  decisions: SdkDecision[];
}

export interface SdkMergeInput {
  eventType: string;
  /** The page's official example (undefined when it has none or it was discarded). */
  example: unknown;
  page: string;
  problems: Problem[];
}

// ---------------------------------------------------------------------------------------------
// Display

export function showSdkType(t: SdkType): string {
  switch (t.kind) {
    case 'literal': return t.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'array': return `Array<${showSdkType(t.items)}>`;
    case 'tuple': return `[${t.items.map(showSdkType).join(', ')}]`;
    case 'object': return `{ ${t.fields.map((f) => `${f.name}${f.optional ? '?' : ''}: ${showSdkType(f.type)}`).join('; ')} }`;
    case 'record': return `Record<string, ${showSdkType(t.values)}>`;
    case 'union': return t.types.map(showSdkType).join(' | ');
    case 'unsupported': return t.text;
    default: return t.kind;
  }
}

function showNodeType(n: FieldNode): string {
  const t = n.type;
  if (t.kind === 'object') return t.name ? `object (${t.name})` : 'object';
  if (t.kind === 'array' && t.item.kind === 'object' && t.item.name) return `array of ${t.item.name}`;
  return t.raw || n.rawType;
}

function showValue(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// ---------------------------------------------------------------------------------------------
// SDK types → field nodes

function literalScalar(values: SdkLiteral[]): DocType {
  if (values.every((v) => typeof v === 'string')) return { kind: 'scalar', scalar: 'string', raw: 'string' };
  if (values.every((v) => typeof v === 'boolean')) return { kind: 'scalar', scalar: 'boolean', raw: 'boolean' };
  if (values.every((v) => typeof v === 'number')) {
    // A literal union of whole numbers makes "integer" clear.
    return values.every((v) => Number.isInteger(v)) ? { kind: 'scalar', scalar: 'integer', raw: 'int' } : { kind: 'scalar', scalar: 'number', raw: 'number' };
  }
  return unionOf([...new Set(values.map((v) => (typeof v === 'number' ? 'number' : typeof v)))]);
}

function unionOf(types: string[]): DocType {
  const order = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];
  const sorted = [...new Set(types)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { kind: 'union', types: sorted, raw: sorted.join('/') };
}

/** The JSON types an SDK type admits (for unions of non-literals). */
function sdkJsonTypes(t: SdkType): string[] {
  switch (t.kind) {
    case 'string': return ['string'];
    case 'number': return ['number'];
    case 'boolean': return ['boolean'];
    case 'null': return ['null'];
    case 'literal': return [...new Set(t.values.map((v) => (typeof v === 'number' ? 'number' : typeof v)))];
    case 'array': case 'tuple': return ['array'];
    case 'object': case 'record': return ['object'];
    case 'union': return t.types.flatMap(sdkJsonTypes);
    default: return [];
  }
}

/** A child-less doc type for an SDK type (objects with fields are handled by the caller). */
function plainDocType(t: SdkType): DocType {
  switch (t.kind) {
    case 'string': return { kind: 'scalar', scalar: 'string', raw: 'string' };
    case 'number': return { kind: 'scalar', scalar: 'number', raw: 'number' };
    case 'boolean': return { kind: 'scalar', scalar: 'boolean', raw: 'boolean' };
    case 'literal': return literalScalar(t.values);
    case 'array': return { kind: 'array', item: plainDocType(t.items), raw: showSdkType(t) };
    case 'tuple': return tupleDocType(t.items);
    case 'object': return { kind: 'object', name: null, raw: 'object' };
    case 'record': return { kind: 'map', values: plainDocType(t.values), raw: showSdkType(t) };
    case 'union': {
      const types = sdkJsonTypes(t);
      return types.length === 0 ? { kind: 'any', raw: showSdkType(t) } : unionOf(types);
    }
    default: return { kind: 'any', raw: showSdkType(t) };
  }
}

/** `[A, A]` → an array of A with exactly two items; mixed tuples keep only the length. */
function tupleDocType(items: SdkType[]): DocType {
  const docs = items.map(plainDocType);
  const first = docs[0];
  const same = first !== undefined && docs.every((d) => JSON.stringify(d) === JSON.stringify(first));
  const item: DocType = same && first ? first : { kind: 'any', raw: 'any' };
  return { kind: 'array', item, raw: `[${items.map(showSdkType).join(', ')}]`, minItems: items.length, maxItems: items.length };
}

/** The fields of an object item: `Array<{…}>`, or a tuple of objects (their fields merged by name). */
function objectFieldsOf(t: SdkType): SdkField[] | null {
  if (t.kind === 'object') return t.fields;
  if (t.kind === 'tuple' && t.items.length > 0 && t.items.every((i) => i.kind === 'object')) {
    const out: SdkField[] = [];
    for (const i of t.items) for (const f of (i as Extract<SdkType, { kind: 'object' }>).fields) if (!out.some((o) => o.name === f.name)) out.push(f);
    return out;
  }
  return null;
}

function literalEnum(t: SdkType): SdkLiteral[] {
  if (t.kind === 'literal' && t.values.every((v) => typeof v !== 'boolean')) return t.values;
  if (t.kind === 'array' || (t.kind === 'tuple' && t.items.length === 1)) return literalEnum(t.kind === 'array' ? t.items : (t.items[0] as SdkType));
  return [];
}

/** The doc type and child fields a node gets from an SDK type. */
function sdkShape(t: SdkType): { type: DocType; fields: SdkField[] | null } {
  const own = objectFieldsOf(t);
  if (own && t.kind === 'object') return { type: { kind: 'object', name: null, raw: 'object' }, fields: own };
  if (own && t.kind === 'tuple') {
    return { type: { kind: 'array', item: { kind: 'object', name: null, raw: 'object' }, raw: showSdkType(t), minItems: t.items.length, maxItems: t.items.length }, fields: own };
  }
  if (t.kind === 'array') {
    const itemFields = objectFieldsOf(t.items);
    if (itemFields && t.items.kind === 'object') return { type: { kind: 'array', item: { kind: 'object', name: null, raw: 'object' }, raw: 'object[]' }, fields: itemFields };
  }
  return { type: plainDocType(t), fields: null };
}

/** A field node from an SDK type; `merged`: it joins a page's tree, so it says where it came from. */
function sdkNode(name: string, t: SdkType, line: number, merged = true): FieldNode {
  const { type, fields } = sdkShape(t);
  const rules = parseDescription(merged ? MERGED_DESCRIPTION : '');
  const values = literalEnum(t);
  if (values.length > 0) rules.enumItems = values.map((v) => ({ value: String(v), label: '' }));
  const node: FieldNode = { name, rawType: showSdkType(t), type, rules, line, children: [] };
  if (merged) node.annotations = { 'x-lark-source': SDK_SOURCE };
  for (const f of fields ?? []) {
    if (f.type.kind === 'unsupported') continue;
    node.children.push(sdkNode(f.name, f.type, line, merged));
  }
  return node;
}

/**
 * The field tree of a v1 event whose page documents no fields, from the SDK handler's flat data:
 * the envelope keys (but `type`, which the schema writes itself) and `event` holding the rest.
 */
export function sdkV1Tree(fields: readonly SdkField[]): FieldNode[] {
  const nodes = (list: readonly SdkField[]): FieldNode[] => list.filter((f) => f.type.kind !== 'unsupported').map((f) => sdkNode(f.name, f.type, 0, false));
  const event: FieldNode = { name: 'event', rawType: 'object', type: { kind: 'object', name: null, raw: 'object' }, rules: parseDescription(''), line: 0, children: nodes(fields.filter((f) => !f.envelope)) };
  return [...nodes(fields.filter((f) => f.envelope && f.name !== 'type')), event];
}

// ---------------------------------------------------------------------------------------------
// Compatibility

/** The JSON types the schema built from a node admits; null: anything. */
function nodeJsonTypes(t: DocType, exampleHasNumber: boolean): Set<string> | null {
  if (t.kind === 'any') return null;
  if (t.kind === 'union') return new Set(t.types);
  if (t.kind === 'scalar' && t.scalar === 'int64') return new Set([exampleHasNumber ? 'integer' : 'string']);
  return new Set([jsonTypeOf(t)]);
}

/** Whether the node admits any of the JSON types (as test/official-sdk/node-sdk-coverage.test.ts compares them). */
function admits(types: Set<string> | null, ...kinds: string[]): boolean {
  return types === null || kinds.some((k) => types.has(k));
}

function literalKind(v: SdkLiteral): string {
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

/** Whether the SDK type fits the node's JSON types at this level (children are checked separately). */
function fitsTypes(sdk: SdkType, types: Set<string> | null): boolean {
  switch (sdk.kind) {
    case 'any': case 'unsupported': return true;
    case 'string': case 'boolean': case 'null': return admits(types, sdk.kind);
    case 'number': return admits(types, 'integer', 'number');
    case 'literal': return sdk.values.every((v) => (literalKind(v) === 'integer' ? admits(types, 'integer', 'number') : admits(types, literalKind(v))));
    case 'array': case 'tuple': return admits(types, 'array');
    case 'object': case 'record': return admits(types, 'object');
    case 'union': return sdk.types.every((m) => fitsTypes(m, types));
  }
}

/** Does a wire value fit the SDK type? */
function valueFitsSdk(t: SdkType, v: unknown): boolean {
  switch (t.kind) {
    case 'any': case 'unsupported': return true;
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    case 'literal': return (t.values as unknown[]).includes(v);
    case 'array': return Array.isArray(v) && v.every((x) => valueFitsSdk(t.items, x));
    case 'tuple': return Array.isArray(v) && v.length === t.items.length && v.every((x, i) => valueFitsSdk(t.items[i] as SdkType, x));
    case 'object': return isPlainObject(v) && t.fields.every((f) => !(f.name in v) || valueFitsSdk(f.type, v[f.name]));
    case 'record': return isPlainObject(v) && Object.values(v).every((x) => valueFitsSdk(t.values, x));
    case 'union': return t.types.some((m) => valueFitsSdk(m, v));
  }
}

/** Does a wire value fit the page's type? */
function valueFitsDoc(t: DocType, v: unknown): boolean {
  switch (t.kind) {
    case 'any': return true;
    case 'scalar':
      if (t.scalar === 'string') return typeof v === 'string';
      if (t.scalar === 'int64') return typeof v === 'string' || Number.isInteger(v);
      if (t.scalar === 'integer') return Number.isInteger(v);
      if (t.scalar === 'number') return typeof v === 'number';
      return typeof v === 'boolean';
    case 'union': return t.types.some((k) => (k === 'array' ? Array.isArray(v) : k === 'object' ? isPlainObject(v) : k === 'null' ? v === null : k === 'integer' ? Number.isInteger(v) : typeof v === k));
    case 'object': case 'map': return isPlainObject(v);
    case 'array': return Array.isArray(v) && v.every((x) => valueFitsDoc(t.item, x));
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// The merge

interface Ctx extends SdkMergeInput {
  report: SdkMergeReport;
  /** The whole tree, to find the same doc type documented elsewhere. */
  root: FieldNode[];
  /** SDK object shape (see shapeKey) → a page node documenting an object of that shape. */
  documented: Map<string, FieldNode>;
}

/** The identity of an SDK object type: its fields' names and types (optionality aside). */
function shapeKey(fields: readonly SdkField[]): string {
  const strip = (t: SdkType): unknown => {
    switch (t.kind) {
      case 'object': return { o: t.fields.map((f) => [f.name, strip(f.type)]) };
      case 'array': return { a: strip(t.items) };
      case 'tuple': return { t: t.items.map(strip) };
      case 'record': return { r: strip(t.values) };
      case 'union': return { u: t.types.map(strip) };
      default: return t;
    }
  };
  return JSON.stringify(fields.map((f) => [f.name, strip(f.type)]));
}

/** The object fields of an SDK type that holds objects: `{…}` or `Array<{…}>`. */
function heldFields(t: SdkType): SdkField[] | null {
  if (t.kind === 'object') return t.fields;
  if (t.kind === 'array' && t.items.kind === 'object') return t.items.fields;
  return null;
}

/**
 * Records, before anything is merged, which page nodes document an object the SDK types, so that
 * a field the page lacks but whose SDK type is the same object (`paid_bonus` next to the page's
 * `confirmed_bonus`, both `bonus_amount` in the SDK) reuses the page's documentation.
 */
function indexDocumented(parent: FieldNode, fields: readonly SdkField[], out: Map<string, FieldNode>): void {
  for (const f of fields) {
    const n = parent.children.find((c) => c.name === f.name);
    const held = heldFields(f.type);
    if (!n || !held || n.children.length === 0) continue;
    if (!(n.type.kind === 'object' || n.type.kind === 'array')) continue;
    const key = shapeKey(held);
    if (!out.has(key)) out.set(key, n);
    indexDocumented(n, held, out);
  }
}

/** A node for a field the page lacks, built from a page node that documents the same SDK object. */
function fromDocumented(name: string, t: SdkType, ctx: Ctx, line: number): FieldNode | null {
  const held = heldFields(t);
  const doc = held ? ctx.documented.get(shapeKey(held)) : undefined;
  if (!doc) return null;
  const docName = doc.type.kind === 'object' ? doc.type.name : doc.type.kind === 'array' && doc.type.item.kind === 'object' ? doc.type.item.name : null;
  const object: DocType = { kind: 'object', name: docName, raw: docName ?? 'object' };
  const type: DocType = t.kind === 'object' ? object : { kind: 'array', item: object, raw: `${object.raw}[]` };
  return {
    name, rawType: showSdkType(t), type, rules: parseDescription(MERGED_DESCRIPTION), line,
    children: structuredClone(doc.children), annotations: { 'x-lark-source': SDK_SOURCE },
  };
}

/** Values at a field path in the example: arrays along the way are flattened, the last level is not. */
function valuesAt(example: unknown, path: string[]): unknown[] {
  let cur: unknown[] = [example];
  path.forEach((seg, i) => {
    const next: unknown[] = [];
    for (const v of cur) if (isPlainObject(v) && Object.prototype.hasOwnProperty.call(v, seg)) next.push(v[seg]);
    cur = i === path.length - 1 ? next : next.flatMap((v) => (Array.isArray(v) ? v : [v]));
  });
  return cur;
}

/** A field path as the SDK flattens it: no `event`, `[]` after arrays (`added.users[].positions`). */
function sdkPath(path: string[], ctx: Ctx): string {
  let nodes = ctx.root;
  let out = '';
  path.forEach((seg, i) => {
    const n = nodes.find((c) => c.name === seg);
    if (i > 0) out += (out === '' ? '' : '.') + seg;
    if (i > 0 && i < path.length - 1 && n?.type.kind === 'array') out += '[]';
    nodes = n?.children ?? [];
  });
  return out;
}

function hasNumberAt(ctx: Ctx, path: string[]): boolean {
  return valuesAt(ctx.example, path).flatMap((v) => (Array.isArray(v) ? v : [v])).some((v) => typeof v === 'number');
}

function note(n: FieldNode, text: string): void {
  n.annotations = { ...(n.annotations ?? {}), 'x-lark-note': text };
}

/** Inserts a node after the closest preceding SDK sibling the parent has, else before the next one, else last. */
function insertInSdkOrder(parent: FieldNode, node: FieldNode, fields: readonly SdkField[], index: number): void {
  const at = (name: string | undefined): number => (name === undefined ? -1 : parent.children.findIndex((c) => c.name === name));
  for (let j = index - 1; j >= 0; j--) {
    const k = at(fields[j]?.name);
    if (k >= 0) { parent.children.splice(k + 1, 0, node); return; }
  }
  for (let j = index + 1; j < fields.length; j++) {
    const k = at(fields[j]?.name);
    if (k >= 0) { parent.children.splice(k, 0, node); return; }
  }
  parent.children.push(node);
}

function mergeFields(parent: FieldNode, fields: readonly SdkField[], path: string[], ctx: Ctx): void {
  fields.forEach((f, i) => {
    const fieldPath = [...path, f.name];
    if (f.type.kind === 'unsupported') {
      ctx.problems.push({ page: ctx.page, line: parent.line, message: `${ctx.eventType}: ${sdkPath(fieldPath, ctx)}: the Node SDK type "${f.type.text}" is not modelled; not merged`, severity: 'warning' });
      return;
    }
    const existing = parent.children.find((c) => c.name === f.name);
    if (existing) {
      reconcile(existing, f.type, fieldPath, ctx);
      return;
    }
    // The page may document the field where it uses the same doc type elsewhere (`object` and
    // `old_object` are both `user_event`): that row is the field's documentation.
    const twin = twinField(ctx.root, parent, f.name);
    if (twin) {
      const copy = structuredClone(twin);
      insertInSdkOrder(parent, copy, fields, i);
      const how = twin.annotations?.['x-lark-source'] === SDK_SOURCE ? 'merged there from the SDK too' : 'documented by the page';
      ctx.problems.push({ page: ctx.page, line: parent.line, message: `${ctx.eventType}: ${sdkPath(fieldPath, ctx)} is typed by the Node SDK; it is copied from another use of the same doc type ${objectTypeName(parent.type) ?? ''} (${how})`, severity: 'warning' });
      ctx.report.merged.push(sdkPath(fieldPath, ctx));
      reconcile(copy, f.type, fieldPath, ctx);
      return;
    }
    const documented = fromDocumented(f.name, f.type, ctx, parent.line);
    insertInSdkOrder(parent, documented ?? sdkNode(f.name, f.type, parent.line), fields, i);
    ctx.report.merged.push(sdkPath(fieldPath, ctx));
    if (documented) reconcile(documented, f.type, fieldPath, ctx);
  });
}

/** The first node of the tree (other than `parent`) of the same named doc type that has a field `name`. */
function twinField(root: FieldNode[], parent: FieldNode, name: string): FieldNode | null {
  const typeName = objectTypeName(parent.type);
  if (!typeName) return null;
  const stack = [...root];
  while (stack.length > 0) {
    const n = stack.shift() as FieldNode;
    if (n !== parent && objectTypeName(n.type) === typeName) {
      const hit = n.children.find((c) => c.name === name);
      if (hit) return hit;
    }
    stack.unshift(...n.children);
  }
  return null;
}

/** Makes `n` agree with the SDK type: merges missing fields below it, or decides a conflict. */
function reconcile(n: FieldNode, sdk: SdkType, path: string[], ctx: Ctx): void {
  if (sdk.kind === 'any' || sdk.kind === 'unsupported') return;
  const types = nodeJsonTypes(n.type, hasNumberAt(ctx, path));
  if (!fitsTypes(sdk, types)) {
    conflict(n, sdk, path, ctx);
    return;
  }
  if (sdk.kind === 'literal') {
    checkEnum(n, sdk.values, path, ctx);
    return;
  }
  if (sdk.kind === 'object') {
    if (n.type.kind === 'any' || (n.type.kind === 'object' && n.children.length === 0)) {
      n.type = { kind: 'object', name: n.type.kind === 'object' ? n.type.name : null, raw: n.type.raw };
    }
    if (n.type.kind === 'object') mergeFields(n, sdk.fields, path, ctx);
    return;
  }
  if ((sdk.kind === 'array' || sdk.kind === 'tuple') && n.type.kind === 'array') {
    const item = n.type.item;
    const sdkItems = sdk.kind === 'array' ? [sdk.items] : sdk.items;
    for (const s of sdkItems) {
      if (s.kind === 'any' || s.kind === 'unsupported') continue;
      const objectItems = item.kind === 'object' || (item.kind === 'any' && n.children.length > 0);
      if (s.kind === 'object' && (objectItems || item.kind === 'any')) {
        if (item.kind === 'any') n.type = { kind: 'array', item: { kind: 'object', name: null, raw: 'object' }, raw: n.type.raw };
        mergeFields(n, s.fields, path, ctx);
        continue;
      }
      const itemTypes = objectItems ? new Set(['object']) : nodeJsonTypes(item, hasNumberAt(ctx, path));
      if (!fitsTypes(s, itemTypes)) {
        conflict(n, sdk, path, ctx);
        return;
      }
      if (s.kind === 'literal' && !objectItems) checkEnum(n, s.values, path, ctx);
    }
  }
}

/** A literal union must be a subset or a superset of the page's enum; otherwise the enum is opened. */
function checkEnum(n: FieldNode, values: SdkLiteral[], path: string[], ctx: Ctx): void {
  const r = n.rules;
  if (r.enumItems.length === 0 || r.enumOpen) return;
  const ours = r.enumItems.map((e) => e.value);
  const theirs = values.map(String);
  const sub = theirs.every((v) => ours.includes(v));
  const sup = ours.every((v) => theirs.includes(v));
  if (sub || sup) return;
  r.enumOpen = true;
  const reason = `the page lists ${JSON.stringify(ours)}, the Node SDK ${JSON.stringify(theirs)}; neither contains the other`;
  note(n, `Enum kept as documentation only: ${reason}.`);
  ctx.report.decisions.push({ path: sdkPath(path, ctx), pageType: `enum ${JSON.stringify(ours)}`, sdkType: values.map((v) => JSON.stringify(v)).join(' | '), winner: 'sdk', reason });
  ctx.problems.push({ page: ctx.page, line: n.line, message: `${ctx.eventType}: ${sdkPath(path, ctx)}: ${reason}; the enum is kept as documentation only`, severity: 'warning' });
}

/**
 * The page and the SDK disagree on a field's type. Evidence, strongest first: the page's example,
 * the page's field table, the SDK's typings. So the SDK's type is used only when the example shows
 * it (and not the page's); the example-evidence pass (./evidence.ts) then widens the type to
 * whatever else the examples show.
 */
function conflict(n: FieldNode, sdk: SdkType, path: string[], ctx: Ctx): void {
  const values = ctx.example === undefined ? [] : valuesAt(ctx.example, path).filter((v) => v !== null);
  const pageType = showNodeType(n);
  const sdkType = showSdkType(sdk);
  const fitsPage = values.length > 0 && values.every((v) => valueFitsDoc(n.type, v));
  const fitsSdk = values.length > 0 && values.every((v) => valueFitsSdk(sdk, v));
  let winner: 'page' | 'sdk';
  let reason: string;
  if (values.length === 0) {
    winner = 'page';
    reason = ctx.example === undefined ? 'the page has no example to decide by' : "the page's example does not show the field";
  } else if (fitsPage) {
    winner = 'page';
    reason = `the page's example sends ${showValue(values[0])}`;
  } else if (fitsSdk) {
    winner = 'sdk';
    reason = `the page's example sends ${showValue(values[0])}`;
  } else {
    winner = 'page';
    reason = `the page's example sends ${showValue(values[0])}, which fits neither`;
  }
  ctx.report.decisions.push({ path: sdkPath(path, ctx), pageType, sdkType, winner, reason });
  ctx.problems.push({ page: ctx.page, line: n.line, message: `${ctx.eventType}: ${sdkPath(path, ctx)}: the page types ${pageType}, the Node SDK ${sdkType}; ${reason}: the ${winner === 'page' ? "page's" : "SDK's"} type is used`, severity: 'warning' });
  if (winner === 'page') {
    note(n, `The Node SDK types this field as ${sdkType}; ${reason}, and the field table outranks the SDK's typings, so the page's type ${pageType} is kept.`);
    return;
  }
  note(n, `The reference page types this field as ${pageType}, the Node SDK as ${sdkType}; ${reason}, so the SDK's type is used.`);
  const { type, fields } = sdkShape(sdk);
  const before = n.type;
  n.type = type;
  n.rawType = sdkType;
  const sdkEnum = literalEnum(sdk);
  if (sdkEnum.length > 0) {
    n.rules.enumItems = sdkEnum.map((v) => ({ value: String(v), label: '' }));
    n.rules.enumOpen = false;
  } else if (leafKind(before) !== leafKind(type)) {
    // The page's values were written for its own type.
    n.rules.enumItems = [];
    n.rules.enumOpen = false;
  }
  if (fields) mergeFields(n, fields, path, ctx); // the page's children (if any) describe the same object
  else n.children = [];
}

/** The scalar kind at the bottom of a type (`string[]` → string). */
function leafKind(t: DocType): string {
  if (t.kind === 'array') return leafKind(t.item);
  if (t.kind === 'map') return leafKind(t.values);
  return t.kind === 'scalar' ? t.scalar : t.kind;
}

/**
 * Merges the SDK's body fields of one event into the page's tree (the `event` node's children).
 * Envelope fields (header keys, v1 ts/uuid/token/type) are the envelope's business and skipped.
 */
export function mergeSdkIntoTree(tree: FieldNode[], fields: readonly SdkField[], input: SdkMergeInput): SdkMergeReport {
  const report: SdkMergeReport = { merged: [], decisions: [] };
  const event = tree.find((n) => n.name === 'event');
  if (!event) return report;
  if (event.type.kind !== 'object') event.type = { kind: 'object', name: null, raw: event.type.raw };
  const body = bodyFields(fields);
  const documented = new Map<string, FieldNode>();
  indexDocumented(event, body, documented);
  const ctx: Ctx = { ...input, report, root: tree, documented };
  mergeFields(event, body, ['event'], ctx);
  return report;
}
