/**
 * Writes a plan into schemas/: each changed or added node is marked `"x-lark-source": "captured"`
 * (the importer keeps such nodes on a re-import, codegen/import/captured.ts); a new object
 * property becomes a named definition, as the schema conventions want (schemas/README.md).
 */

import fs from 'node:fs';
import path from 'node:path';
import { isObject, orderKeys, serializeSchema, type Json, type JsonObject } from '../schema-file.js';
import { CAPTURED } from '../import/captured.js';
import { sameJson, typesOf } from './diff.js';
import type { Change } from './plan.js';
import { unescapeToken as unesc } from '../../src/util/json-pointer.js';


const pascal = (s: string): string => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

export class LearnApplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LearnApplyError';
  }
}

function getAt(root: JsonObject, pointer: string, file: string): JsonObject {
  let cur: Json = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = unesc(raw);
    cur = Array.isArray(cur) ? (cur[Number(key)] as Json) : isObject(cur) ? (cur[key] as Json) : null;
  }
  if (!isObject(cur)) throw new LearnApplyError(`schemas/${file}: nothing to change at ${pointer || '/'} (did the file change since learn read it?)`);
  return cur;
}

function setAt(root: JsonObject, pointer: string, value: JsonObject): JsonObject {
  if (pointer === '') return value;
  const keys = pointer.split('/').slice(1).map(unesc);
  const last = keys.pop() as string;
  let cur: Json = root;
  for (const k of keys) cur = Array.isArray(cur) ? (cur[Number(k)] as Json) : ((cur as JsonObject)[k] as Json);
  if (Array.isArray(cur)) cur[Number(last)] = value;
  else (cur as JsonObject)[last] = value;
  return root;
}

const mark = (node: JsonObject): JsonObject => orderKeys({ ...node, 'x-lark-source': CAPTURED });
const annotations = (node: JsonObject): JsonObject => Object.fromEntries(Object.entries(node).filter(([k]) => k === 'description' || k.startsWith('x-lark-')));

function addTypes(node: JsonObject, add: readonly string[]): JsonObject {
  let types = typesOf(node);
  for (const t of add) {
    if (types.includes(t) || (t === 'integer' && types.includes('number'))) continue;
    if (t === 'number') types = types.filter((x) => x !== 'integer');
    types.push(t);
  }
  return { ...node, type: types.length === 1 ? (types[0] as string) : types };
}

function allowNull(node: JsonObject): JsonObject {
  if (typeof node.$ref === 'string') return { anyOf: [{ $ref: node.$ref }, { type: 'null' }], ...annotations(node) };
  const key = Array.isArray(node.anyOf) ? 'anyOf' : Array.isArray(node.oneOf) ? 'oneOf' : undefined;
  if (key) {
    const alts = node[key] as Json[];
    return alts.some((a) => isObject(a) && a.type === 'null') ? node : { ...node, [key]: [...alts, { type: 'null' }] };
  }
  let out = node.type !== undefined ? addTypes(node, ['null']) : { ...node };
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out = { ...out, enum: [...out.enum, null] };
  if (out.const !== undefined) {
    const { const: c, ...rest } = out;
    out = { ...rest, enum: [c as Json, null] };
  }
  return out;
}

function widen(node: JsonObject, types: readonly string[]): JsonObject {
  if (typeof node.$ref === 'string') return { anyOf: [{ $ref: node.$ref }, ...types.map((t) => ({ type: t }))], ...annotations(node) };
  const key = Array.isArray(node.anyOf) ? 'anyOf' : Array.isArray(node.oneOf) ? 'oneOf' : undefined;
  if (key) return { ...node, [key]: [...(node[key] as Json[]), ...types.map((t) => ({ type: t }))] };
  return addTypes(node, types);
}

function addEnumValues(node: JsonObject, values: readonly Json[]): JsonObject {
  const known = Array.isArray(node.enum) ? [...node.enum] : node.const !== undefined ? [node.const] : [];
  for (const v of values) if (!known.some((k) => sameJson(k, v))) known.push(v);
  const { const: _dropped, ...rest } = node;
  return { ...rest, enum: known };
}

/**
 * Gives every object with properties in an inferred schema its own definition in `defs`, named
 * `<hint><Property>` (made unique against `titles`), and refers to it.
 */
function nameObjects(schema: JsonObject, hint: string, defs: JsonObject, titles: Set<string>): JsonObject {
  const out: JsonObject = { ...schema };
  if (isObject(out.items)) out.items = nameObjects(out.items, `${hint}Item`, defs, titles);
  if (!isObject(out.properties)) return out;
  const props: JsonObject = {};
  for (const [k, v] of Object.entries(out.properties)) props[k] = isObject(v) ? nameObjects(v, `${hint}${pascal(k)}`, defs, titles) : v;
  const types = typesOf(out);
  if (types.some((t) => t !== 'object' && t !== 'null')) return { ...out, properties: props };
  let title = hint;
  for (let i = 2; titles.has(title); i++) title = `${hint}${i}`;
  titles.add(title);
  defs[title] = orderKeys({ title, type: 'object', properties: props, 'x-lark-source': CAPTURED });
  const ref = { $ref: `#/definitions/${title}` };
  return types.includes('null') ? { anyOf: [ref, { type: 'null' }] } : ref;
}

function describe(c: Change): string {
  const n = c.evidence.payloads;
  return `Seen in ${n} captured deliver${n === 1 ? 'y' : 'ies'} (lark-events learn); no reference page documents it.`;
}

/** Applies the changes to the schema files under `schemasDir`; returns the files written (relative to it). */
export function applyPlan(schemasDir: string, changes: readonly Change[], titles: Set<string>): string[] {
  const byFile = new Map<string, Change[]>();
  for (const c of changes) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  const written: string[] = [];
  for (const [file, list] of [...byFile.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const full = path.join(schemasDir, file);
    let root = JSON.parse(fs.readFileSync(full, 'utf8')) as JsonObject;
    for (const c of list) {
      const node = getAt(root, c.at, file);
      let next: JsonObject;
      switch (c.kind) {
        case 'add-property': {
          const defs: JsonObject = isObject(root.definitions) ? root.definitions : {};
          const hint = `${c.titleHint ?? (typeof root.title === 'string' ? root.title : 'Captured')}${pascal(c.property ?? '')}`;
          const schema = nameObjects(c.schema ?? {}, hint, defs, titles);
          if (Object.keys(defs).length > 0) root.definitions = defs;
          const props = isObject(node.properties) ? node.properties : {};
          props[c.property ?? ''] = mark({ ...schema, description: describe(c) });
          next = { ...getAt(root, c.at, file), properties: props };
          break;
        }
        case 'add-enum-value': next = mark(addEnumValues(node, c.values ?? [])); break;
        case 'allow-null': next = mark(allowNull(node)); break;
        case 'widen-type': next = mark(widen(node, c.types ?? [])); break;
        case 'drop-rule': {
          const { [c.keyword ?? '']: _dropped, ...rest } = node;
          next = mark(rest);
          break;
        }
      }
      root = setAt(root, c.at, next);
    }
    fs.writeFileSync(full, serializeSchema(root));
    written.push(file);
  }
  return written;
}

