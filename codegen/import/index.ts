/** The importer for official reference pages: Markdown (or plain-text) pages → schemas/<domain>/<event_type>.json. */

import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parsePage, type ExampleBlock, type FieldTable, type ParsedPage, type Problem } from './parse-page.js';
import { buildFieldTree, type FieldNode } from './field-tree.js';
import { parseDocType } from './field-types.js';
import { parseDescription } from './rules.js';
import { buildEventSchema } from './to-schema.js';
import { parseExample, synthesizeExample } from './examples.js';
import { domainOf, loadCatalog, registerMethodFor, typeNameFor, type CatalogRow } from '../catalog.js';
import type { EventKind, Json, JsonObject } from '../schema-file.js';
import { reconcileWithExample } from './reconcile.js';
import { createStrictValidator, type StrictValidator } from './validate.js';
import { defaultNodeSdkTypesPath, readNodeSdkEvents, type SdkField } from './node-sdk.js';
import { mergeSdkIntoTree, sdkV1Tree, type SdkDecision } from './sdk-merge.js';
import { applyExampleEvidence } from './evidence.js';
import { mergeCaptured, readExistingSchema } from './captured.js';
import { mirrorSchema, mirrorSource } from './mirror.js';
import { hoistFiles, type ProducedSchema } from './hoist.js';

export type { Problem } from './parse-page.js';
export type { SdkDecision } from './sdk-merge.js';
export { serializeSchema } from '../schema-file.js';

/** Event key → the fields the Node SDK types for its handler data (see ./node-sdk.ts). */
export type SdkEvents = ReadonlyMap<string, readonly SdkField[]>;

export interface ImportedEvent {
  eventType: string;
  kind: EventKind;
  page: string;
  file: string;
  exampleSource: 'official' | 'synthesized';
  exampleRepairs: string[];
  /** Fields added from the Node SDK typings (as the SDK flattens them). */
  sdkMerged: string[];
  /** Type conflicts between the page and the Node SDK, and how each was decided. */
  sdkDecisions: SdkDecision[];
}

export interface ImportReport {
  written: string[];
  /** Files removed: a domain's definitions.json that no longer shares anything. */
  removed: string[];
  events: ImportedEvent[];
  problems: Problem[];
  /** Domain → the definitions its events share in `<domain>/definitions.json` (./hoist.ts). */
  shared: Map<string, string[]>;
}

export interface ImportOptions {
  outDir: string;
  catalogPath?: string;
  /** Where the shared definitions live (for validating examples); default `<outDir>/common`. */
  commonDir?: string;
  /** false: build and validate only. */
  write?: boolean;
  /** Merge in the fields the official Node SDK types but the page lacks (default true). */
  sdkMerge?: boolean;
  /** The SDK's typings; default: the installed @larksuiteoapi/node-sdk's types/index.d.ts. */
  sdkTypesPath?: string;
  /** Official example payloads, one `<event_type>.json` per event (the docs' `examples/`). */
  examplesDir?: string;
  /** The message-content guide (`guides/im-v1/message_content.md`): the values of `message_type`. */
  messageContentPath?: string;
}

export interface PageImport {
  schemas: Array<{
    eventType: string; kind: EventKind; domain: string; schema: JsonObject; exampleSource: 'official' | 'synthesized'; exampleRepairs: string[];
    sdkMerged: string[]; sdkDecisions: SdkDecision[];
    /** Where the fields came from: the page's field table, the SDK (page without one), or the envelope only. */
    fieldsFrom: 'page' | 'node-sdk' | 'envelope';
  }>;
  problems: Problem[];
}

const FIXED_VALUE = /固定(?:值|取值)(?:为)?\s*[:：]?\s*`?([A-Za-z][A-Za-z0-9_.]*)`?/;

function pageMatches(path: string, docPage: string): boolean {
  const p = path.replace(/\\/g, '/');
  return docPage !== '' && (p === docPage || p.endsWith('/' + docPage));
}

interface Unit {
  table: FieldTable | null;
  example: ExampleBlock | null;
}

function unitsOf(page: ParsedPage): Unit[] {
  if (page.tables.length === 0) return [{ table: null, example: page.examples[0] ?? null }];
  const used = new Set<ExampleBlock>();
  return page.tables.map((table, i) => {
    const next = page.tables[i + 1];
    const example = page.examples.find((e) => !used.has(e) && e.line > table.line && (!next || e.line < next.line)) ?? null;
    if (example) used.add(example);
    return { table, example };
  });
}

function cellName(table: FieldTable, row: FieldTable['rows'][number]): { name: string; depth: number } {
  const cell = row.cells[table.nameCol] ?? '';
  const nested = cell.includes('└') || cell.includes('∟');
  const depth = nested ? Math.max(1, Math.round((cell.match(/&nbsp;/g) ?? []).length / 2) + (cell.match(/&emsp;/g) ?? []).length) : 0;
  return { name: cell.replace(/&nbsp;|&emsp;|`|└|∟/g, '').trim(), depth };
}

function topLevelNames(table: FieldTable | null): Set<string> {
  const out = new Set<string>();
  for (const row of table?.rows ?? []) {
    const { name, depth } = cellName(table as FieldTable, row);
    if (depth === 0) out.add(name);
  }
  return out;
}

/** The event a table documents when the page says so: "事件体（事件类型为 X）" or, in v1 tables,
 * the `event.type` row "固定值 `X`". */
function keyFromTable(table: FieldTable): string | null {
  const hint = /事件类型为\s*([A-Za-z][A-Za-z0-9_.]*)/.exec(table.heading);
  if (hint && hint[1]) return hint[1];
  const top = topLevelNames(table);
  if (!top.has('uuid') && !top.has('ts')) return null;
  let inEvent = false;
  for (const row of table.rows) {
    const { name, depth } = cellName(table, row);
    if (depth === 0) inEvent = name === 'event';
    if (inEvent && depth === 1 && name === 'type') {
      const m = FIXED_VALUE.exec(row.cells[table.descCol] ?? '');
      if (m && m[1] && m[1] !== 'event_callback') return m[1];
    }
  }
  return null;
}

function exampleKey(ex: unknown): string | null {
  if (!ex || typeof ex !== 'object') return null;
  const o = ex as Record<string, unknown>;
  const header = o['header'];
  if (header && typeof header === 'object') {
    const t = (header as Record<string, unknown>)['event_type'];
    if (typeof t === 'string') return t;
  }
  const ev = o['event'];
  if (ev && typeof ev === 'object') {
    const t = (ev as Record<string, unknown>)['type'];
    if (typeof t === 'string') return t;
  }
  return null;
}

function leaf(name: string, type: string, desc: string, line: number): FieldNode {
  const t = parseDocType(type);
  if (!t) throw new Error(`bad builtin type ${type}`);
  return { name, rawType: type, type: t, rules: parseDescription(desc), line, children: [] };
}

/** The envelope of a page that documents no fields: what every delivery of the kind carries. */
function envelopeTree(kind: EventKind): FieldNode[] {
  const event = leaf('event', '-', '', 0);
  if (kind === 'p1') event.children.push(leaf('app_id', 'string', '应用 ID', 0), leaf('tenant_key', 'string', '租户 Key', 0));
  return [event];
}

interface PageContext {
  path: string;
  page: ParsedPage;
  catalog: Map<string, CatalogRow>;
  /** The catalog rows that name this page. */
  catalogKeys: string[];
  problems: Problem[];
  validator: StrictValidator | undefined;
  sdk: SdkEvents | undefined;
  units: Unit[];
  /** Event keys already produced from this page. */
  taken: Set<string>;
  /** Event type → its official example payload from the examples folder. */
  examples: ReadonlyMap<string, unknown>;
  /** The message types of the message-content guide (empty: not given). */
  messageTypes: readonly string[];
}

type ProducedPageSchema = PageImport['schemas'][number];

/** Tables without an `event` row document something else (a callback's response body, …). */
function dropNonEventTables(page: ParsedPage, path: string, problems: Problem[]): void {
  const skipped = page.tables.filter((t) => !topLevelNames(t).has('event'));
  for (const t of skipped) problems.push({ page: path, line: t.line, message: `the table under "${t.heading}" has no event row; not an event body, skipped`, severity: 'warning' });
  page.tables = page.tables.filter((t) => !skipped.includes(t));
}

/** The unit's example as JSON (repaired where the page broke it), or undefined. */
function readOfficialExample(unit: Unit, ctx: PageContext): { official: unknown; repairs: string[] } {
  if (!unit.example?.text) return { official: undefined, repairs: [] };
  const r = parseExample(unit.example.text);
  if ('error' in r) {
    ctx.problems.push({ page: ctx.path, line: unit.example.line, message: `example is not JSON and could not be repaired (${r.error}); a synthesized example is used`, severity: 'warning' });
    return { official: undefined, repairs: [] };
  }
  if (r.repairs.length > 0) ctx.problems.push({ page: ctx.path, line: unit.example.line, message: `example repaired: ${r.repairs.join(', ')}`, severity: 'warning' });
  return { official: r.value, repairs: r.repairs };
}

/** The event a unit documents: the table's own hint, the page's single event, the catalog, the example. */
function resolveEventKey(unit: Unit, idx: number, official: unknown, ctx: PageContext): string | null {
  const { page, catalogKeys, units, taken } = ctx;
  let key = unit.table ? keyFromTable(unit.table) : null;
  if (!key && units.length === 1) key = page.eventTypes[0] ?? catalogKeys[0] ?? exampleKey(official);
  if (!key) key = catalogKeys.find((k) => !taken.has(k)) ?? exampleKey(official);
  if (!key && idx === 0) key = page.eventTypes[0] ?? null;
  return key;
}

function kindOf(key: string, unit: Unit, row: CatalogRow | undefined): EventKind {
  const topNames = topLevelNames(unit.table);
  return row?.kind ?? (topNames.has('uuid') || topNames.has('ts') || !key.includes('.') ? 'p1' : 'p2');
}

let defaultSdk: SdkEvents | null | undefined;

/** The installed Node SDK's handler typings (read once), or null when not installed. */
function installedSdk(): SdkEvents | null {
  if (defaultSdk === undefined) {
    const file = defaultNodeSdkTypesPath();
    defaultSdk = existsSync(file) ? readNodeSdkEvents(file) : null;
  }
  return defaultSdk;
}

/** The unit's field tree: from its table, else (v1 pages without one) the SDK typings, else the envelope. */
function buildUnitTree(unit: Unit, key: string, kind: EventKind, official: unknown, ctx: PageContext): { tree: FieldNode[]; fieldsFrom: ProducedPageSchema['fieldsFrom'] } {
  const { path, problems } = ctx;
  const unitLine = unit.table?.line ?? unit.example?.line ?? 1;
  if (unit.table) {
    const tree = buildFieldTree(unit.table, ctx.page.variant, path, problems, official);
    if (official !== undefined) reconcileWithExample(tree, official, path, problems);
    return { tree, fieldsFrom: 'page' };
  }
  const sdkFields = kind === 'p1' ? (ctx.sdk ?? installedSdk())?.get(key) : undefined;
  if (sdkFields) {
    problems.push({ page: path, line: unitLine, message: `${key}: the page has no field table; fields taken from the Node SDK typings`, severity: 'warning' });
    return { tree: sdkV1Tree(sdkFields), fieldsFrom: 'node-sdk' };
  }
  problems.push({ page: path, line: unitLine, message: `${key}: the page has no field table; only the envelope is typed`, severity: 'warning' });
  return { tree: envelopeTree(kind), fieldsFrom: 'envelope' };
}

function describeEvent(key: string, fieldsFrom: ProducedPageSchema['fieldsFrom'], ctx: PageContext): string {
  const multi = ctx.units.length > 1;
  const title = ctx.page.title.trim();
  const desc = ctx.page.description ? cleanLine(ctx.page.description) : '';
  return `${title}${multi ? `（${key}）` : ''}${desc ? `: ${desc}` : ''}${fieldsFrom === 'node-sdk' ? ' (The page documents no fields; they follow the @larksuiteoapi/node-sdk typings.)' : ''}`;
}

/** The example the schema keeps: the official one when it validates, else a synthesized one. */
function chooseExample(schema: JsonObject, key: string, kind: EventKind, tree: FieldNode[], official: unknown, lines: { example: number; unit: number }, ctx: PageContext): { example: Json; exampleSource: 'official' | 'synthesized' } {
  const { validator, problems, path } = ctx;
  if (official !== undefined) {
    const errors = validator ? validator.validate(schema, official) : [];
    if (errors.length === 0) return { example: official as Json, exampleSource: 'official' };
    problems.push({ page: path, line: lines.example, message: `official example of ${key} does not validate (${errors.slice(0, 5).join('; ')}); a synthesized example is used`, severity: 'warning' });
  }
  const example = synthesizeExample(kind, key, tree);
  if (validator) {
    const errors = validator.validate(schema, example);
    if (errors.length > 0) problems.push({ page: path, line: lines.unit, message: `synthesized example of ${key} does not validate: ${errors.slice(0, 5).join('; ')}`, severity: 'error' });
  }
  return { example, exampleSource: 'synthesized' };
}

/** The schema with its example, marked `x-lark-example-source` (before `type`) when synthesized. */
function withExample(built: JsonObject, example: Json, exampleSource: 'official' | 'synthesized'): JsonObject {
  const schema: JsonObject = {};
  for (const [k, v] of Object.entries(built)) {
    if (k === 'type' && exampleSource === 'synthesized') schema['x-lark-example-source'] = 'synthesized';
    schema[k] = v;
  }
  schema['examples'] = [example];
  return schema;
}

/** One unit (a field table and its example) → one event schema, or null (problems say why). */
function importUnit(unit: Unit, idx: number, ctx: PageContext): ProducedPageSchema | null {
  const { path, problems, catalog, taken } = ctx;
  const unitLine = unit.table?.line ?? unit.example?.line ?? 1;
  let { official, repairs } = readOfficialExample(unit, ctx);
  const key = resolveEventKey(unit, idx, official, ctx);
  if (!key) {
    problems.push({ page: path, line: unitLine, message: 'cannot tell which event this field table documents', severity: 'error' });
    return null;
  }
  if (taken.has(key)) {
    problems.push({ page: path, line: unitLine, message: `${key} is documented twice on this page; the first table wins`, severity: 'warning' });
    return null;
  }
  taken.add(key);

  const row = catalog.get(key);
  const kind = kindOf(key, unit, row);
  const exKey = exampleKey(official);
  if (official !== undefined && exKey !== null && exKey !== key) {
    problems.push({ page: path, line: unit.example?.line ?? unitLine, message: `example is for ${exKey}, not ${key}; a synthesized example is used`, severity: 'warning' });
    official = undefined;
  }

  const fileExample = ctx.examples.get(key);
  if (official === undefined && fileExample !== undefined) official = fileExample;
  const { tree, fieldsFrom } = buildUnitTree(unit, key, kind, official, ctx);
  const sdkFields = ctx.sdk?.get(key);
  const merge = sdkFields ? mergeSdkIntoTree(tree, sdkFields, { eventType: key, example: official, page: path, problems }) : { merged: [], decisions: [] };

  const domain = domainOf(key, kind);
  const evidence = [official, fileExample].filter((e, i, all) => e !== undefined && all.findIndex((x) => JSON.stringify(x) === JSON.stringify(e)) === i);
  const built = buildEventSchema({
    eventType: key,
    kind,
    typeName: row?.typeName || typeNameFor(key, kind),
    registerMethod: row?.registerMethod || registerMethodFor(key, kind),
    domain,
    source: sourceOf(path, row),
    description: describeEvent(key, fieldsFrom, ctx),
    permissions: ctx.page.permissions,
    fieldPermissions: ctx.page.fieldPermissions,
    appTypes: ctx.page.appTypes,
    tree,
    page: path,
    ...(domain === 'im' && ctx.messageTypes.length > 0 ? { messageTypes: ctx.messageTypes } : {}),
  }, official, problems, evidence);

  if (ctx.validator && evidence.length > 0) {
    const left = applyExampleEvidence(built.schema, evidence, { eventType: key, page: path, line: unit.example?.line ?? unitLine, validator: ctx.validator, problems });
    if (left.length > 0) problems.push({ page: path, line: unit.example?.line ?? unitLine, message: `${key}: an official example still does not validate: ${left.slice(0, 5).join('; ')}`, severity: 'warning' });
  }
  const { example, exampleSource } = chooseExample(built.schema, key, kind, tree, official, { example: unit.example?.line ?? unitLine, unit: unitLine }, ctx);
  const schema = withExample(built.schema, example, exampleSource);
  return { eventType: key, kind, domain, schema, exampleSource, exampleRepairs: repairs, sdkMerged: merge.merged, sdkDecisions: merge.decisions, fieldsFrom };
}

/**
 * Imports one page. `sdk` (optional): the Node SDK's handler typings; when given, each event's tree
 * is reconciled with them (./sdk-merge.ts) before it becomes a schema.
 */
export function importPageText(text: string, path: string, catalog: Map<string, CatalogRow>, validator?: StrictValidator, sdk?: SdkEvents, examples: ReadonlyMap<string, unknown> = new Map(), messageTypes: readonly string[] = []): PageImport {
  const page = parsePage(text, path);
  const problems = page.problems;
  dropNonEventTables(page, path, problems);
  const ctx: PageContext = {
    path, page, catalog, problems, validator, sdk,
    catalogKeys: [...catalog.values()].filter((r) => pageMatches(path, r.docPage)).map((r) => r.eventType),
    units: unitsOf(page),
    taken: new Set(),
    examples,
    messageTypes,
  };
  const out: PageImport = { schemas: [], problems };
  ctx.units.forEach((unit, idx) => {
    const produced = importUnit(unit, idx, ctx);
    if (produced) out.schemas.push(produced);
  });
  for (const k of ctx.catalogKeys) {
    if (!ctx.taken.has(k)) problems.push({ page: path, line: 1, message: `catalog.tsv lists ${k} on this page but no section of the page yields it`, severity: 'error' });
  }
  return out;
}

function cleanLine(s: string): string {
  return s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\*\*|==|`/g, '').replace(/\s+/g, ' ').trim();
}

/** The doc page relative to the docs root (`events/…`), else the path as given. */
function sourceOf(path: string, row: CatalogRow | undefined): string {
  if (row && row.docPage && pageMatches(path, row.docPage)) return row.docPage;
  const p = path.replace(/\\/g, '/');
  const i = p.lastIndexOf('/events/');
  if (i >= 0 && p.includes('lark-docs/')) return p.slice(p.indexOf('lark-docs/') + 'lark-docs/'.length);
  const seed = /(?:^|\/)(seeds\/[^/]+)$/.exec(p);
  return seed?.[1] ?? p;
}

/** The message types the message-content guide documents: the type name that ends each section heading. */
export function readMessageTypes(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^#{3,4} [^\n]*?\s([a-z][a-z_]*)\s*$/gm)) if (!out.includes(m[1] as string)) out.push(m[1] as string);
  return out;
}

/** The examples folder: `<event_type>.json` → its payload (files that are not JSON are reported). */
export function readExamples(dir: string, problems: Problem[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    try {
      out.set(f.slice(0, -'.json'.length), JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown);
    } catch (e) {
      problems.push({ page: join(dir, f), line: 0, message: `not JSON (${e instanceof Error ? e.message : String(e)}); not used as evidence`, severity: 'warning' });
    }
  }
  return out;
}

export async function importPages(paths: string[], options: ImportOptions): Promise<ImportReport> {
  const catalogPath = options.catalogPath ?? resolve('schemas/catalog.tsv');
  const catalog = existsSync(catalogPath) ? loadCatalog(catalogPath) : new Map<string, CatalogRow>();
  const commonDir = options.commonDir ?? [join(options.outDir, 'common'), resolve('schemas/common')].find((d) => existsSync(d)) ?? join(options.outDir, 'common');
  const validator = existsSync(commonDir) ? createStrictValidator(commonDir) : undefined;
  const report: ImportReport = { written: [], removed: [], events: [], problems: [], shared: new Map() };
  let sdk: SdkEvents | undefined;
  if (options.sdkMerge !== false) {
    const sdkPath = options.sdkTypesPath ?? defaultNodeSdkTypesPath();
    if (existsSync(sdkPath)) sdk = readNodeSdkEvents(sdkPath);
    else report.problems.push({ page: sdkPath, line: 0, message: 'the Node SDK typings are not installed; nothing merged from them', severity: 'warning' });
  }
  const examples = options.examplesDir ? readExamples(options.examplesDir, report.problems) : new Map<string, unknown>();
  const messageTypes = options.messageContentPath ? readMessageTypes(readFileSync(options.messageContentPath, 'utf8')) : [];
  const produced = new Map<string, PageImport['schemas'][number]>();
  // Everything is written at the end, once the domains' shared definitions are hoisted.
  const pending = new Map<string, ProducedSchema>();
  const write = (domain: string, eventType: string, schema: JsonObject): string => {
    const file = join(options.outDir, domain, `${eventType}.json`);
    const existing = readExistingSchema(file, options.outDir, domain);
    if (existing) {
      const merged = mergeCaptured(schema, existing);
      if (merged.kept) {
        schema = merged.schema;
        report.problems.push({ page: file, line: 0, message: `${eventType}: kept what captured deliveries taught this schema ("x-lark-source": "captured")`, severity: 'warning' });
      }
    }
    pending.set(file, { file, domain, schema });
    return file;
  };
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      report.problems.push({ page: path, line: 0, message: `cannot read the page: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' });
      continue;
    }
    const result = importPageText(text, path, catalog, validator, sdk, examples, messageTypes);
    report.problems.push(...result.problems);
    for (const s of result.schemas) {
      produced.set(s.eventType, s);
      const file = write(s.domain, s.eventType, s.schema);
      report.events.push({ eventType: s.eventType, kind: s.kind, page: path, file, exampleSource: s.exampleSource, exampleRepairs: s.exampleRepairs, sdkMerged: s.sdkMerged, sdkDecisions: s.sdkDecisions });
    }
  }
  // Catalog rows without a page whose note says they share the body shape of an event imported from
  // a page's field table. (Where the sibling's page has no field table, its fields come from the SDK
  // fallback and carry less than the row's own schema: that one is left alone.)
  for (const row of [...catalog.values()].sort((a, b) => a.eventType.localeCompare(b.eventType))) {
    const sibling = row.docPage === '' ? mirrorSource(row.note) : null;
    const from = sibling ? produced.get(sibling) : undefined;
    if (!sibling || !from || from.fieldsFrom !== 'page' || produced.has(row.eventType) || from.kind !== row.kind) continue;
    const schema = mirrorSchema(from.schema, { eventType: sibling, typeName: String(from.schema['title']) }, row);
    const file = write(domainOf(row.eventType, row.kind), row.eventType, schema);
    report.events.push({ eventType: row.eventType, kind: row.kind, page: `note: same shape as ${sibling}`, file, exampleSource: from.exampleSource, exampleRepairs: [], sdkMerged: [], sdkDecisions: [] });
  }
  const hoisted = hoistFiles(options.outDir, [...pending.values()], report.problems);
  report.shared = hoisted.hoisted;
  if (options.write !== false) {
    for (const [file, text] of [...hoisted.texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      report.written.push(file);
    }
    for (const file of hoisted.remove) {
      rmSync(file);
      report.removed.push(file);
    }
  }
  return report;
}

const USAGE = `usage: lark-events import [--out <dir>] [--catalog <catalog.tsv>] [--from-catalog <docs-root>] [--no-sdk-merge] [--sdk-types <index.d.ts>] [--examples <dir>] [--dry-run] <page>...
  --out           output directory (default: schemas)
  --catalog       catalog.tsv for names (default: schemas/catalog.tsv)
  --from-catalog  import every catalog row whose doc_page is under events/, resolved against <docs-root>
                  (the root of a copy of the official reference pages)
  --no-sdk-merge  do not merge in the fields the official Node SDK types but the page lacks
  --sdk-types     the Node SDK typings to merge from (default: the installed @larksuiteoapi/node-sdk)
  --examples      official example payloads (<event_type>.json); default: <docs-root>/examples with --from-catalog
  --dry-run       build and validate, write nothing`;

export async function runImportCli(argv: string[]): Promise<number> {
  let outDir = 'schemas';
  let catalogPath: string | undefined;
  let docsRoot: string | undefined;
  let write = true;
  let sdkMerge = true;
  let sdkTypesPath: string | undefined;
  let examplesDir: string | undefined;
  const pages: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const needValue = (): string | null => {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) return null;
      i++;
      return v;
    };
    if (a === '--out' || a === '--catalog' || a === '--from-catalog' || a === '--sdk-types' || a === '--examples') {
      const v = needValue();
      if (v === null) { process.stderr.write(`${a} needs a value\n${USAGE}\n`); return 2; }
      if (a === '--out') outDir = v;
      else if (a === '--catalog') catalogPath = v;
      else if (a === '--sdk-types') sdkTypesPath = v;
      else if (a === '--examples') examplesDir = v;
      else docsRoot = v;
    } else if (a === '--dry-run') write = false;
    else if (a === '--no-sdk-merge') sdkMerge = false;
    else if (a === '--help' || a === '-h') { process.stdout.write(USAGE + '\n'); return 0; }
    else if (a.startsWith('--')) { process.stderr.write(`unknown option ${a}\n${USAGE}\n`); return 2; }
    else pages.push(a);
  }
  const catPath = catalogPath ?? resolve('schemas/catalog.tsv');
  if (catalogPath !== undefined && !existsSync(catalogPath)) { process.stderr.write(`cannot read ${catalogPath}\n`); return 2; }
  if (docsRoot !== undefined) {
    if (!existsSync(catPath)) { process.stderr.write(`cannot read ${catPath}\n`); return 2; }
    const seen = new Set<string>();
    for (const r of loadCatalog(catPath).values()) {
      if (!r.docPage.startsWith('events/')) continue;
      const p = join(docsRoot, r.docPage);
      if (!seen.has(p)) { seen.add(p); pages.push(p); }
    }
  }
  if (examplesDir === undefined && docsRoot !== undefined && existsSync(join(docsRoot, 'examples'))) examplesDir = join(docsRoot, 'examples');
  const messageContentPath = docsRoot !== undefined && existsSync(join(docsRoot, 'guides/im-v1/message_content.md')) ? join(docsRoot, 'guides/im-v1/message_content.md') : undefined;
  if (examplesDir !== undefined && !existsSync(examplesDir)) { process.stderr.write(`cannot read ${examplesDir}\n`); return 2; }
  if (pages.length === 0) { process.stderr.write(USAGE + '\n'); return 2; }
  for (const p of pages) {
    if (!existsSync(p)) { process.stderr.write(`cannot read ${p}\n`); return 2; }
  }
  if (sdkTypesPath !== undefined && !existsSync(sdkTypesPath)) { process.stderr.write(`cannot read ${sdkTypesPath}\n`); return 2; }
  const report = await importPages(pages, { outDir, catalogPath: catPath, write, sdkMerge, sdkTypesPath, ...(examplesDir !== undefined ? { examplesDir } : {}), ...(messageContentPath !== undefined ? { messageContentPath } : {}) });
  for (const p of report.problems) process.stderr.write(`${p.page}:${p.line}: ${p.severity}: ${p.message}\n`);
  const synthesized = report.events.filter((e) => e.exampleSource === 'synthesized').length;
  const sharedCount = [...report.shared.values()].reduce((n, names) => n + names.length, 0);
  process.stdout.write(`${report.events.length} schemas${write ? ' written' : ' built'} (${report.events.length - synthesized} official examples, ${synthesized} synthesized)\n`);
  if (sdkMerge) {
    const merged = report.events.reduce((n, e) => n + e.sdkMerged.length, 0);
    const decisions = report.events.flatMap((e) => e.sdkDecisions);
    const kept = decisions.filter((d) => d.winner === 'page').length;
    process.stdout.write(`Node SDK: ${merged} fields merged in ${report.events.filter((e) => e.sdkMerged.length > 0).length} schemas; ${decisions.length} type conflicts (${decisions.length - kept} SDK type used, ${kept} page type kept)\n`);
  }
  process.stdout.write(`Shared definitions: ${sharedCount} in ${report.shared.size} domains (<domain>/definitions.json)\n`);
  return report.problems.some((p) => p.severity === 'error') ? 1 : 0;
}
