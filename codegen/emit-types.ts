import { compile } from 'json-schema-to-typescript';
import type { LoadedSchema } from './load.js';
import { namedShapes, safeTypeName, toTypeView } from './normalize.js';
import { isObject, type JsonObject } from './schema-file.js';

const ROOT = 'GeneratedRoot';

/**
 * Compiles a group of schema files into one TypeScript module: all their named shapes are
 * definitions of one combined graph, compiled once, so nothing is declared twice. Types that
 * live in another module (common shapes) are imported by name.
 */
export async function emitTypes(
  files: LoadedSchema[],
  all: Map<string, LoadedSchema>,
  importFrom: { module: string; names: Set<string> } | undefined,
): Promise<string> {
  const definitions: JsonObject = {};
  const refs = new Set<string>();
  for (const file of files) {
    for (const [title, shape] of namedShapes(file)) {
      const view = toTypeView(shape, file, all, refs);
      if (isObject(view)) definitions[title] = { ...view, title };
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
  const imported = importFrom ? [...refs].filter((r) => importFrom.names.has(r)).sort() : [];
  const head = imported.length && importFrom ? `import type { ${imported.join(', ')} } from '${importFrom.module}';\n\n` : '';
  return head + body;
}
