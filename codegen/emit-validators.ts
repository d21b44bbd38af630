import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import type { LoadedSchema } from './load.js';
import { refTarget } from './normalize.js';
import { isObject, type Json, type JsonObject } from './schema-file.js';

/** What ajv needs of a schema: no annotations, examples or docs, so the compiled code stays small. */
function validatorView(node: Json): Json {
  if (Array.isArray(node)) return node.map(validatorView);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || key === 'description' || key === 'examples' || key === 'title' || key === '$schema') continue;
    if ((key === 'properties' || key === 'definitions') && isObject(value)) {
      const inner: JsonObject = {};
      for (const [k, v] of Object.entries(value)) inner[k] = validatorView(v);
      out[key] = inner;
    } else out[key] = key === 'enum' || key === 'const' ? value : validatorView(value);
  }
  return out;
}

export interface ValidatorExport {
  /** The key in the emitted map (event type, or a common schema's title). */
  key: string;
  /** Absolute schema ref to compile (`$id` or `$id#/definitions/X`). */
  ref: string;
}

const AJV_RUNTIME = /const (\w+) = require\("(ajv\/dist\/runtime\/[\w/]+)"\)\.default;/g;

/**
 * Precompiled ajv validators as one ESM module. ajv's standalone output still contains require()
 * calls for its runtime helpers; they are rewritten into imports so the module loads under plain
 * Node ESM, in bundlers and on edge runtimes alike.
 */
export function emitValidators(schemas: LoadedSchema[], groups: Record<string, ValidatorExport[]>, options: { discriminator?: boolean } = {}): string {
  const ajv = new Ajv.default({ code: { source: true, esm: true, lines: false }, allErrors: true, strict: true, allowUnionTypes: true, inlineRefs: false, ...options });
  for (const s of schemas) ajv.addSchema(validatorView(s.json) as object);
  const refs: Record<string, string> = {};
  const names: Record<string, Array<[string, string]>> = {};
  let n = 0;
  for (const [group, exports] of Object.entries(groups)) {
    names[group] = exports.map((e) => {
      const name = `v${n++}`;
      refs[name] = e.ref;
      return [e.key, name];
    });
  }
  let code = standaloneCode.default(ajv, refs);
  const imports: string[] = [];
  code = code.replace(AJV_RUNTIME, (_m, local: string, mod: string) => {
    imports.push(`import ${local}$module from '${mod}.js';`);
    return `const ${local} = ${local}$module.default ?? ${local}$module;`;
  });
  if (/\brequire\(/.test(code)) throw new Error('ajv standalone output still calls require(): extend AJV_RUNTIME');
  code = dropUnusedSchemaConstants(code.replace(/^"use strict";/, ''));
  const maps = Object.entries(names).map(([group, pairs]) =>
    `export const ${group} = {\n${pairs.map(([k, v]) => `  ${JSON.stringify(k)}: ${v},`).join('\n')}\n};`);
  return `${imports.join('\n')}\n${code}\n\n${maps.join('\n\n')}\n`;
}

/** End index (exclusive) of the JSON literal starting at `start`, skipping over strings. */
function literalEnd(code: string, start: number): number {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      for (i++; i < code.length && code[i] !== '"'; i++) if (code[i] === '\\') i++;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unterminated literal in ajv output');
}

/**
 * ajv's standalone code declares a copy of every (sub)schema as a constant, though only a few are
 * read (for $async and some error params). Dropping the unread ones shrinks the modules severalfold.
 */
function dropUnusedSchemaConstants(code: string): string {
  const decl = /const (schema\d+) = (?=[{[])/g;
  const cuts: Array<[number, number]> = [];
  for (let m = decl.exec(code); m; m = decl.exec(code)) {
    const name = m[1] as string;
    const uses = code.match(new RegExp(`\\b${name}\\b`, 'g'))?.length ?? 0;
    const end = literalEnd(code, m.index + m[0].length);
    if (uses === 1) cuts.push([m.index, code[end] === ';' ? end + 1 : end]);
  }
  for (const [a, b] of cuts.reverse()) code = code.slice(0, a) + code.slice(b);
  return code;
}

/**
 * A shape tree records which property names a schema knows, for strict mode and drift reports:
 * `p` known properties, `i` array items, `a` values of a map, `o` an open object (anything goes),
 * `n` a node whose sources disagreed (it carries an `x-lark-note`), where a type it does not allow
 * is drift rather than a contradiction (src/runtime/classify.ts).
 */
export interface Shape {
  p?: Record<string, Shape>;
  i?: Shape;
  a?: Shape;
  o?: 1;
  n?: 1;
}

const noted = (node: JsonObject): boolean => typeof node['x-lark-note'] === 'string';

export function shapeOf(node: Json, from: LoadedSchema, all: Map<string, LoadedSchema>, depth = 0): Shape {
  if (depth > 40) throw new Error(`${from.file}: schema nesting too deep (a $ref cycle?)`);
  if (!isObject(node)) return {};
  if (typeof node.$ref === 'string') {
    const { schema, definition } = refTarget(node.$ref, from, all);
    const target = definition ? (isObject(schema.json.definitions) ? schema.json.definitions[definition] : undefined) : schema.json;
    if (target === undefined) throw new Error(`${from.file}: $ref "${node.$ref}" points at no definition`);
    const resolved = shapeOf(target, schema, all, depth + 1);
    if (noted(node)) resolved.n = 1;
    return resolved;
  }
  const shape: Shape = {};
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const alts = node[key];
    if (Array.isArray(alts)) {
      for (const alt of alts) mergeShape(shape, shapeOf(alt, from, all, depth + 1));
    }
  }
  if (isObject(node.properties)) {
    shape.p ??= {};
    for (const [k, v] of Object.entries(node.properties)) shape.p[k] = shapeOf(v, from, all, depth + 1);
  }
  if (node.items !== undefined && !Array.isArray(node.items)) shape.i = shapeOf(node.items, from, all, depth + 1);
  if (isObject(node.additionalProperties)) shape.a = shapeOf(node.additionalProperties, from, all, depth + 1);
  if (node.additionalProperties === true) shape.o = 1;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('object') && !shape.p && !shape.a) shape.o = 1;
  if (noted(node)) shape.n = 1;
  return shape;
}

function mergeShape(into: Shape, from: Shape): void {
  if (from.p) {
    into.p ??= {};
    for (const [k, v] of Object.entries(from.p)) into.p[k] = into.p[k] ? (mergeShape(into.p[k], v), into.p[k]) : v;
  }
  if (from.i) into.i = into.i ? (mergeShape(into.i, from.i), into.i) : from.i;
  if (from.a) into.a = into.a ? (mergeShape(into.a, from.a), into.a) : from.a;
  if (from.o) into.o = 1;
  if (from.n) into.n = 1;
}
