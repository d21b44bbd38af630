import { compile } from 'json-schema-to-typescript';
import type { LoadedSchema } from './load.js';
import { namedShapes, safeTypeName, toTypeView, typeNameOfRef } from './normalize.js';
import { isObject, type JsonObject } from './schema-file.js';

const ROOT = 'GeneratedRoot';
const HEADER_PARAMETER = 'T';

/** The header types (EventHeader, CallbackHeader): the titles the events' `header` property refers to. */
export function headerTypeNames(events: LoadedSchema[], all: Map<string, LoadedSchema>): Set<string> {
  const names = new Set<string>();
  for (const e of events) {
    const header = isObject(e.json.properties) ? e.json.properties.header : undefined;
    if (isObject(header) && typeof header.$ref === 'string') names.add(typeNameOfRef(header.$ref, e, all));
  }
  return names;
}

/** An event's header is its header type with the event's own event_type: `EventHeader<'im.message.receive_v1'>`. */
function typeHeaderOfEvent(view: JsonObject, file: LoadedSchema, headers: ReadonlySet<string>): void {
  const meta = file.json['x-lark'];
  const header = isObject(view.properties) ? view.properties.header : undefined;
  if (!isObject(meta) || typeof meta.event_type !== 'string' || meta.kind === 'p1' || !isObject(header)) return;
  if (typeof header.tsType === 'string' && headers.has(header.tsType)) header.tsType = `${header.tsType}<${JSON.stringify(meta.event_type).replace(/"/g, "'")}>`;
}

/** A header type declares event_type as its type parameter (default string), so one declaration serves every event. */
function typeParameterOfHeader(view: JsonObject): void {
  const eventType = isObject(view.properties) ? view.properties.event_type : undefined;
  if (isObject(view.properties) && isObject(eventType)) view.properties.event_type = { tsType: HEADER_PARAMETER, ...(eventType.description ? { description: eventType.description } : {}) };
}

/**
 * Compiles a group of schema files into one TypeScript module: all their named shapes are
 * definitions of one combined graph, compiled once, so nothing is declared twice. Types that
 * live in another module (common shapes) are imported by name.
 */
export async function emitTypes(
  files: LoadedSchema[],
  all: Map<string, LoadedSchema>,
  importFrom: { module: string; names: Set<string> } | undefined,
  headers: ReadonlySet<string> = new Set(),
): Promise<string> {
  const definitions: JsonObject = {};
  const refs = new Set<string>();
  for (const file of files) {
    for (const [title, shape] of namedShapes(file)) {
      const view = toTypeView(shape, file, all, refs);
      if (!isObject(view)) continue;
      if (title === file.title) typeHeaderOfEvent(view, file, headers);
      if (headers.has(title)) typeParameterOfHeader(view);
      definitions[title] = { ...view, title };
    }
  }
  const root = { title: ROOT, type: 'object', properties: {}, additionalProperties: false, definitions };
  const ts = await compile(root as never, ROOT, {
    bannerComment: '',
    additionalProperties: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    enableConstEnums: false,
    strictIndexSignatures: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  let body = ts.replace(new RegExp(`export interface ${ROOT} \\{\\}\\n\\n?`), '');
  // The title is the type name, exactly: undo the generator's re-casing.
  for (const title of Object.keys(definitions)) {
    const safe = safeTypeName(title);
    if (safe !== title) body = body.replace(new RegExp(`\\b${safe}\\b`, 'g'), title);
  }
  for (const title of headers) {
    body = body.replace(`export interface ${title} {`, `export interface ${title}<${HEADER_PARAMETER} extends string = string> {`);
  }
  const imported = importFrom ? [...refs].filter((r) => importFrom.names.has(r)).sort() : [];
  const head = imported.length && importFrom ? `import type { ${imported.join(', ')} } from '${importFrom.module}';\n\n` : '';
  return head + body;
}
