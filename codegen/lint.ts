import type { CatalogRow } from './catalog.js';
import { domainOf } from './catalog.js';
import type { EventSchema, Json, JsonObject, LarkMeta, LoadedSchema } from './load.js';
import { isDomainShared, isMessageContent, isObject, isShared } from './load.js';
import { escapePointerToken, lineOfPointer } from './locate.js';

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
    const meta = readMeta(s.json);
    if (!meta) {
      report('/x-lark', 'missing or malformed x-lark (event_type, kind p2|p1|callback, register_method)');
      continue;
    }
    const domain = domainOf(meta.event_type, meta.kind);
    const expectedRel = `${domain}/${meta.event_type}.json`;
    if (s.rel !== expectedRel) report('/x-lark/event_type', `an event of kind ${meta.kind} "${meta.event_type}" belongs in schemas/${expectedRel}`);
    const row = byType.get(meta.event_type);
    if (!row) report('/x-lark/event_type', `"${meta.event_type}" is not in catalog.tsv`);
    else {
      if (row.kind !== meta.kind) report('/x-lark/kind', `catalog.tsv:${row.line} says kind "${row.kind}", schema says "${meta.kind}"`);
      if (row.typeName !== s.title) report('/title', `catalog.tsv:${row.line} says type name "${row.typeName}", schema says "${s.title}"`);
      if (row.registerMethod !== meta.register_method) report('/x-lark/register_method', `catalog.tsv:${row.line} says "${row.registerMethod}", schema says "${meta.register_method}"`);
    }
    if (meta.kind === 'callback' && typeof meta.response !== 'string') report('/x-lark/response', 'a callback needs x-lark.response pointing at its response definition');
    events.push({ ...s, meta, domain });
  }
  const covered = new Set(events.map((e) => e.meta.event_type));
  const missing = catalog.filter((r) => !covered.has(r.eventType));
  return { events, problems, missing };
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
