/**
 * Captured knowledge survives a re-import. `lark-events learn --write` edits schemas from captured
 * deliveries and marks each node it adds or widens with `"x-lark-source": "captured"`. The pages do
 * not know those facts, so before a re-imported schema replaces the file, every captured node of the
 * file is merged back: a missing property (with the definitions it refers to) is added, and a
 * captured node the page also has keeps the union of both types, enum values and `const`s.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_KEYWORDS } from '../../src/util/wire-classes.js';
import { isObject, orderKeys, type Json, type JsonObject } from '../schema-file.js';
import { SHARED_FILE, sortDefinitions, unhoistEvent } from './hoist.js';

export const CAPTURED = 'captured';
const LOCAL_REF = '#/definitions/';

function isCaptured(node: Json | undefined): node is JsonObject {
  return isObject(node) && node['x-lark-source'] === CAPTURED;
}

function hasCaptured(node: Json | undefined): boolean {
  if (Array.isArray(node)) return node.some((v) => hasCaptured(v));
  if (!isObject(node)) return false;
  return isCaptured(node) || Object.values(node).some((v) => hasCaptured(v as Json));
}

function types(node: JsonObject): string[] {
  const t = node['type'];
  return Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  const out = [...a];
  for (const v of b) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(v))) out.push(v);
  return out;
}

/**
 * A captured node the page also describes: the page's node, widened by what was captured. Besides
 * types and enum values, that is a `$ref` made nullable (`anyOf: [{ $ref }, { type: "null" }]`), a
 * `const` turned into an enum, and a rule (pattern, length, range) that captured values broke.
 */
function widenFromCaptured(page: JsonObject, captured: JsonObject): JsonObject {
  let out: JsonObject = { ...page };
  const alts = captured['anyOf'];
  if (typeof page['$ref'] === 'string' && Array.isArray(alts) && alts.some((a) => isObject(a) && a['$ref'] === page['$ref'])) {
    const { $ref: _ref, ...rest } = out;
    out = { anyOf: alts, ...rest };
  }
  if (page['const'] !== undefined && Array.isArray(captured['enum'])) {
    const { const: c, ...rest } = out;
    out = { ...rest, enum: union([c as Json], captured['enum']) };
  }
  if (captured['type'] !== undefined || captured['enum'] !== undefined) {
    for (const k of RULE_KEYWORDS) if (k in page && !(k in captured)) delete out[k];
  }
  const pt = types(page);
  const ct = types(captured);
  if (pt.length > 0 && ct.length > 0) {
    const all = union(pt, ct);
    out['type'] = all.length === 1 ? (all[0] as string) : all;
  }
  if (Array.isArray(page['enum']) && Array.isArray(captured['enum'])) out['enum'] = union(page['enum'], captured['enum']);
  else if (Array.isArray(page['enum']) && !Array.isArray(captured['enum']) && captured['type'] !== undefined) delete out['enum'];
  for (const [k, v] of Object.entries(captured)) if (k.startsWith('x-lark-') && k !== 'x-lark-note') out[k] = v;
  if (typeof captured['x-lark-note'] === 'string') {
    const note = captured['x-lark-note'];
    const before = typeof page['x-lark-note'] === 'string' ? page['x-lark-note'] : '';
    out['x-lark-note'] = before === '' || before.includes(note) ? note : `${before} ${note}`;
  }
  return orderKeys(out);
}

function mergeNode(page: Json, existing: Json): Json {
  if (!isObject(page) || !isObject(existing)) return page;
  let out: JsonObject = isCaptured(existing) ? widenFromCaptured(page, existing) : { ...page };
  for (const key of ['properties', 'definitions']) {
    const mine = out[key];
    const theirs = existing[key];
    if (!isObject(theirs)) continue;
    const merged: JsonObject = isObject(mine) ? { ...mine } : {};
    for (const [name, node] of Object.entries(theirs)) {
      if (name in merged) merged[name] = mergeNode(merged[name] as Json, node);
      else if (key === 'properties' && isCaptured(node)) merged[name] = node;
    }
    if (Object.keys(merged).length > 0) out[key] = merged;
  }
  for (const key of ['items', 'additionalProperties']) {
    if (isObject(out[key]) && isObject(existing[key])) out[key] = mergeNode(out[key] as Json, existing[key] as Json);
  }
  if (Array.isArray(out['anyOf']) && Array.isArray(existing['anyOf'])) {
    const mine = out['anyOf'];
    out['anyOf'] = union(mine, existing['anyOf'].filter(isCaptured));
  }
  out = orderKeys(out, Object.keys(page).concat(Object.keys(out)));
  return out;
}

function localRefs(node: Json, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => localRefs(n, into));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(LOCAL_REF)) into.add(v.slice(LOCAL_REF.length));
      else localRefs(v, into);
    }
  }
  return into;
}

/**
 * `produced` (a schema the importer built, per-event form) with the captured nodes of `existing`
 * (the file it replaces, per-event form) merged back. Definitions the merged captured nodes refer
 * to come along.
 */
export function mergeCaptured(produced: JsonObject, existing: JsonObject): { schema: JsonObject; kept: boolean } {
  if (!hasCaptured(existing)) return { schema: produced, kept: false };
  const merged = mergeNode(produced, existing) as JsonObject;
  const defs = isObject(merged['definitions']) ? { ...merged['definitions'] } : {};
  const theirs = isObject(existing['definitions']) ? existing['definitions'] : {};
  let restored = false;
  for (let added = true; added;) {
    added = false;
    for (const name of localRefs(merged, new Set())) {
      if (!(name in defs) && isObject(theirs[name])) {
        defs[name] = theirs[name] as JsonObject;
        // Set at once: the next pass must see the refs inside what was just restored.
        merged['definitions'] = defs;
        added = restored = true;
      }
    }
  }
  // In the order ./to-schema.ts writes (the body, then by name), so that hoisting the file again changes nothing.
  if (restored) merged['definitions'] = sortDefinitions(defs, `${String(merged['title'])}Data`);
  return { schema: merged, kept: true };
}

/** The schema file at `file` in the per-event form (shared definitions of its domain inlined), or null. */
export function readExistingSchema(file: string, outDir: string, domain: string): JsonObject | null {
  if (!existsSync(file)) return null;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Json;
    if (!isObject(json)) return null;
    const sharedFile = join(outDir, domain, SHARED_FILE);
    const shared = existsSync(sharedFile) ? (JSON.parse(readFileSync(sharedFile, 'utf8')) as JsonObject) : {};
    return unhoistEvent(json, domain, isObject(shared['definitions']) ? shared['definitions'] : {});
  } catch {
    return null;
  }
}
