import { createRequire } from 'node:module';
import type { LoadedSchema } from './load.js';
import { isObject, type Json, type JsonObject } from './schema-file.js';

const { toSafeString } = createRequire(import.meta.url)('json-schema-to-typescript/dist/src/utils.js') as { toSafeString(s: string): string };

/** The name json-schema-to-typescript declares for a title (it re-cases some, e.g. I18n → I18N). */
export const safeTypeName = (title: string): string => toSafeString(title);

/** Title of the schema a $ref points at, for refs that leave the file (../common/x.json) or stay in it (#/definitions/X). */
export function refTarget(ref: string, from: LoadedSchema, all: Map<string, LoadedSchema>): { schema: LoadedSchema; definition?: string } {
  const [filePart = '', fragment = ''] = ref.split('#');
  let schema = from;
  if (filePart) {
    const base = new URL(from.id || `https://x.invalid/${from.rel}`);
    const target = new URL(filePart, base).href;
    const found = all.get(target);
    if (!found) throw new Error(`${from.file}: $ref "${ref}" points at no known schema`);
    schema = found;
  }
  if (!fragment || fragment === '/') return { schema };
  const m = /^\/definitions\/([^/]+)$/.exec(fragment);
  if (!m?.[1]) throw new Error(`${from.file}: $ref "${ref}": only #/definitions/<name> fragments are supported`);
  return { schema, definition: decodeURIComponent(m[1]) };
}

export function typeNameOfRef(ref: string, from: LoadedSchema, all: Map<string, LoadedSchema>): string {
  const { schema, definition } = refTarget(ref, from, all);
  if (!definition) return schema.title;
  const def = isObject(schema.json.definitions) ? schema.json.definitions[definition] : undefined;
  return isObject(def) && typeof def.title === 'string' ? def.title : definition;
}

function describe(node: JsonObject): string | undefined {
  const parts: string[] = [];
  if (typeof node.description === 'string') parts.push(node.description);
  const enumDesc = node['x-lark-enum-descriptions'];
  if (isObject(enumDesc) && Object.keys(enumDesc).length > 0) {
    parts.push('Values:\n' + Object.entries(enumDesc).map(([k, v]) => `- \`${k}\`: ${String(v)}`).join('\n'));
  }
  const perms = node['x-lark-field-permissions'];
  if (Array.isArray(perms) && perms.length > 0) parts.push(`Returned only with the permission ${perms.map((p) => `\`${String(p)}\``).join(' or ')}.`);
  if (node['x-lark-type'] === 'int64') parts.push('An int64 sent as a decimal string.');
  return parts.length ? parts.join('\n\n') : undefined;
}

/**
 * The view of a schema node that json-schema-to-typescript compiles: every $ref becomes a `tsType`
 * naming the referenced type (so shared shapes are declared once and imported, and a $ref's sibling
 * description becomes the property's JSDoc instead of a duplicate type); annotations become JSDoc;
 * an object with no declared properties becomes an open record.
 */
export function toTypeView(node: Json, from: LoadedSchema, all: Map<string, LoadedSchema>, refs: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => toTypeView(n, from, all, refs));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  if (typeof node.$ref === 'string') {
    const name = typeNameOfRef(node.$ref, from, all);
    refs.add(node.$ref.startsWith('#') ? `#${name}` : name);
    out.tsType = name;
    const d = describe(node);
    if (d) out.description = d;
    return out;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-lark') || key === 'examples' || key === '$schema' || key === '$id' || key === 'definitions') continue;
    if (key === 'description') continue;
    if (key === 'properties' && isObject(value)) {
      const props: JsonObject = {};
      for (const [p, s] of Object.entries(value)) props[p] = toTypeView(s, from, all, refs);
      out.properties = props;
    } else if (key === 'pattern' || key === 'enum' || key === 'const' || key === 'required') {
      out[key] = value;
    } else {
      out[key] = toTypeView(value, from, all, refs);
    }
  }
  const d = describe(node);
  if (d) out.description = d;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('object') && !isObject(node.properties) && node.additionalProperties === undefined && node.patternProperties === undefined) {
    out.additionalProperties = true;
  }
  return out;
}

/**
 * Every named definition of a schema file, keyed by title: the event itself and its definitions
 * (a file of definitions only — no type, no properties — contributes just its definitions).
 */
export function namedShapes(s: LoadedSchema): Array<[string, Json]> {
  const definitionsOnly = s.json.type === undefined && s.json.properties === undefined && s.json.$ref === undefined;
  const shapes: Array<[string, Json]> = definitionsOnly ? [] : [[s.title, s.json]];
  if (isObject(s.json.definitions)) {
    for (const [key, def] of Object.entries(s.json.definitions)) {
      const title = isObject(def) && typeof def.title === 'string' ? def.title : key;
      shapes.push([title, def]);
    }
  }
  return shapes;
}
