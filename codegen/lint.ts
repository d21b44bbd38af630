import Ajv from 'ajv';
import type { CatalogRow } from './catalog.js';
import { domainOf } from './catalog.js';
import type { EventSchema, LarkMeta, LoadedSchema } from './load.js';
import { isDomainShared, isMessageContent, isShared } from './load.js';
import { escapePointerToken, lineOfPointer } from './locate.js';
import { isObject, type Json, type JsonObject } from './schema-file.js';
import { unescapeToken } from '../src/util/json-pointer.js';

export interface LintProblem {
  file: string;
  line: number;
  pointer: string;
  message: string;
}

export function formatProblem(p: LintProblem): string {
  return `${p.file}:${p.line}: ${p.pointer || '/'}: ${p.message}`;
}

const REF_SIBLINGS = /^(\$ref|description|x-lark-.*)$/;
const KINDS = new Set(['p2', 'p1', 'callback']);

function readMeta(json: JsonObject): LarkMeta | undefined {
  const m = json['x-lark'];
  if (!isObject(m)) return undefined;
  const { event_type, kind, register_method } = m;
  if (typeof event_type !== 'string' || typeof kind !== 'string' || !KINDS.has(kind) || typeof register_method !== 'string') return undefined;
  return m as unknown as LarkMeta;
}

/**
 * Checks the conventions of schemas/README.md and cross-checks event schemas with catalog.tsv.
 * Returns the event schemas (with their metadata) and every problem found; callers fail on problems.
 */
export function lint(schemas: LoadedSchema[], catalog: CatalogRow[]): { events: EventSchema[]; problems: LintProblem[]; missing: CatalogRow[] } {
  const problems: LintProblem[] = [];
  const events: EventSchema[] = [];
  const byType = new Map(catalog.map((r) => [r.eventType, r]));
  const seenIds = new Map<string, string>();
  const seenTitles = new Map<string, string>();
  const byId = new Map(schemas.map((s) => [s.id, s]));
  const meta = new Ajv.default({ allErrors: true, strict: false });

  for (const s of schemas) {
    const text = s.text;
    const report = (pointer: string, message: string): void => {
      problems.push({ file: s.file, line: lineOfPointer(text, pointer), pointer, message });
    };
    if (!s.id) report('/$id', 'missing $id');
    else if (seenIds.has(s.id)) report('/$id', `duplicate $id (also in ${seenIds.get(s.id)})`);
    else seenIds.set(s.id, s.rel);
    if (s.id && !s.id.endsWith('/' + s.rel)) report('/$id', `$id must end with the file's path "${s.rel}"`);
    if (!s.title) report('/title', 'missing title');
    if (typeof s.json.description !== 'string' || s.json.description.trim() === '') report('/description', 'missing description');
    const examples = s.json.examples;
    if (!isDomainShared(s) && (!Array.isArray(examples) || examples.length === 0)) report('/examples', 'needs at least one example');

    // Later stages compile the schemas with ajv, which would throw on these without a location.
    checkDraft07(meta, s.json, report);
    checkRefs(s, s.json, '', byId, report);

    checkNode(s.json, '', report, (t, where) => {
      const other = seenTitles.get(t);
      if (other && other !== `${s.rel}${where}`) report(where, `title "${t}" is already used at ${other}`);
      else seenTitles.set(t, `${s.rel}${where}`);
    });

    if (isShared(s)) continue;
    if (isMessageContent(s)) {
      const m = s.json['x-lark'];
      const expected = s.rel.slice('im/content/'.length, -'.json'.length);
      if (!isObject(m) || m.message_type !== expected) report('/x-lark/message_type', `a message content schema needs x-lark.message_type "${expected}" (its file name)`);
      continue;
    }
    const lark = readMeta(s.json);
    if (!lark) {
      report('/x-lark', 'missing or malformed x-lark (event_type, kind p2|p1|callback, register_method)');
      continue;
    }
    const domain = domainOf(lark.event_type, lark.kind);
    const expectedRel = `${domain}/${lark.event_type}.json`;
    if (s.rel !== expectedRel) report('/x-lark/event_type', `an event of kind ${lark.kind} "${lark.event_type}" belongs in schemas/${expectedRel}`);
    const row = byType.get(lark.event_type);
    if (!row) report('/x-lark/event_type', `"${lark.event_type}" is not in catalog.tsv`);
    else {
      if (row.kind !== lark.kind) report('/x-lark/kind', `catalog.tsv:${row.line} says kind "${row.kind}", schema says "${lark.kind}"`);
      if (row.typeName !== s.title) report('/title', `catalog.tsv:${row.line} says type name "${row.typeName}", schema says "${s.title}"`);
      if (row.registerMethod !== lark.register_method) report('/x-lark/register_method', `catalog.tsv:${row.line} says "${row.registerMethod}", schema says "${lark.register_method}"`);
    }
    if (lark.kind === 'callback' && typeof lark.response !== 'string') report('/x-lark/response', 'a callback needs x-lark.response pointing at its response definition');
    if (typeof lark.response === 'string') checkRef(s, lark.response, '/x-lark/response', byId, report);
    events.push({ ...s, meta: lark, domain });
  }
  const covered = new Set(events.map((e) => e.meta.event_type));
  const missing = catalog.filter((r) => !covered.has(r.eventType));
  return { events, problems, missing };
}

const TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

/** The schema against the draft-07 meta-schema: one problem per pointer, the most telling message. */
function checkDraft07(ajv: InstanceType<typeof Ajv.default>, json: JsonObject, report: (p: string, m: string) => void): void {
  if (ajv.validateSchema(json)) return;
  const seen = new Set<string>();
  for (const e of ajv.errors ?? []) {
    const pointer = e.instancePath;
    if (seen.has(pointer)) continue;
    seen.add(pointer);
    const value = valueAt(json, pointer);
    if (pointer.endsWith('/type') && (typeof value === 'string' || Array.isArray(value))) {
      const bad = (Array.isArray(value) ? value : [value]).filter((t) => typeof t !== 'string' || !TYPES.includes(t));
      report(pointer, `${bad.map((t) => JSON.stringify(t)).join(', ')} is not a JSON Schema type (use ${TYPES.join(', ')})`);
    } else {
      report(pointer, `not a valid draft-07 schema here: ${e.message ?? e.keyword}`);
    }
  }
}

function valueAt(json: Json, pointer: string): Json | undefined {
  let node: Json | undefined = json;
  for (const raw of pointer.split('/').slice(1)) {
    const token = unescapeToken(raw);
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = node[token];
    else return undefined;
  }
  return node;
}

/** Every `$ref` must name a schema file (by its path relative to this one) and a value inside it. */
function checkRefs(s: LoadedSchema, node: Json, pointer: string, byId: Map<string, LoadedSchema>, report: (p: string, m: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => checkRefs(s, child, `${pointer}/${i}`, byId, report));
    return;
  }
  if (!isObject(node)) return;
  if (typeof node.$ref === 'string') checkRef(s, node.$ref, `${pointer}/$ref`, byId, report);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'examples' || key === 'enum' || key === 'const' || key.startsWith('x-lark')) continue;
    checkRefs(s, child, `${pointer}/${escapePointerToken(key)}`, byId, report);
  }
}

function checkRef(s: LoadedSchema, ref: string, at: string, byId: Map<string, LoadedSchema>, report: (p: string, m: string) => void): void {
  let target: URL;
  try {
    target = new URL(ref, s.id || 'https://invalid.invalid/');
  } catch {
    return report(at, `$ref "${ref}" is not a valid URI reference`);
  }
  const fragment = decodeURIComponent(target.hash.slice(1));
  target.hash = '';
  const file = byId.get(target.href);
  if (!file) return report(at, `$ref "${ref}" names no schema file (no schema has $id ${target.href})`);
  if (fragment !== '' && !fragment.startsWith('/')) return report(at, `$ref "${ref}": only JSON pointer fragments are supported`);
  if (fragment !== '' && valueAt(file.json, fragment) === undefined) return report(at, `$ref "${ref}": ${file.rel} has nothing at ${fragment}`);
}

function checkNode(node: Json, pointer: string, report: (p: string, m: string) => void, onTitle: (t: string, where: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => checkNode(child, `${pointer}/${i}`, report, onTitle));
    return;
  }
  if (!isObject(node)) return;
  if (pointer.includes('/examples') || pointer.includes('/x-lark')) return;
  if (typeof node.$ref === 'string') {
    for (const key of Object.keys(node)) {
      if (!REF_SIBLINGS.test(key)) report(`${pointer}/${escapePointerToken(key)}`, `"${key}" next to $ref is ignored by draft-07 and duplicates types; move it into the referenced definition`);
    }
  }
  if (pointer.startsWith('/definitions/')) {
    const key = pointer.split('/')[2];
    if (pointer.split('/').length === 3 && node.title !== undefined && node.title !== key) report(`${pointer}/title`, `a definition's title must equal its key "${key}"`);
  }
  if (typeof node.title === 'string' && pointer !== '') {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(node.title)) report(`${pointer}/title`, `title "${node.title}" must be a PascalCase type name`);
    onTitle(node.title, pointer);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'examples' || key === 'enum' || key === 'const' || key.startsWith('x-lark')) continue;
    checkNode(child, `${pointer}/${escapePointerToken(key)}`, report, onTitle);
  }
}
