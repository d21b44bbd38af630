/**
 * Catalog rows without a page of their own whose note says "same event body shape as X": their schema
 * is X's, renamed (title, definitions, $id, x-lark names) with the event type swapped in.
 */

import { domainOf, type CatalogRow } from '../catalog.js';
import { SCHEMA_BASE, isObject, type Json, type JsonObject } from '../schema-file.js';

const NOTE = /same event body shape as (\S+)/;

/** The sibling event a catalog note names, or null. */
export function mirrorSource(note: string): string | null {
  return NOTE.exec(note)?.[1] ?? null;
}

function rename(node: Json, names: Map<string, string>): Json {
  if (Array.isArray(node)) return node.map((v) => rename(v, names));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/')) out[k] = `#/definitions/${names.get(v.slice('#/definitions/'.length)) ?? v.slice('#/definitions/'.length)}`;
    else if (k === 'title' && typeof v === 'string') out[k] = names.get(v) ?? v;
    else out[k] = rename(v, names);
  }
  return out;
}

/** `from` (the schema of `fromRow`) as the schema of `row`. */
export function mirrorSchema(from: JsonObject, fromRow: Pick<CatalogRow, 'eventType' | 'typeName'>, row: CatalogRow): JsonObject {
  const names = new Map<string, string>();
  const defs = isObject(from['definitions']) ? from['definitions'] : {};
  for (const k of Object.keys(defs)) if (k.startsWith(fromRow.typeName)) names.set(k, row.typeName + k.slice(fromRow.typeName.length));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(from)) {
    switch (k) {
      case '$id': out[k] = `${SCHEMA_BASE}/${domainOf(row.eventType, row.kind)}/${row.eventType}.json`; break;
      case 'title': out[k] = row.typeName; break;
      case 'description': out[k] = `${String(v)} (${row.eventType}: same event body shape as ${fromRow.eventType}.)`; break;
      case 'x-lark': {
        const meta: JsonObject = { ...(v as JsonObject) };
        meta['event_type'] = row.eventType;
        meta['register_method'] = row.registerMethod;
        meta['source'] = `note: same shape as ${fromRow.eventType}`;
        out[k] = meta;
        break;
      }
      case 'definitions': {
        const d: JsonObject = {};
        for (const [name, def] of Object.entries(defs)) d[names.get(name) ?? name] = rename(def, names);
        out[k] = d;
        break;
      }
      case 'examples': out[k] = (Array.isArray(v) ? v : []).map((ex) => retype(structuredClone(ex), row)); break;
      default: out[k] = rename(v, names);
    }
  }
  // A v1 body's `type` is the event key.
  const data = isObject(out['definitions']) ? out['definitions'][`${row.typeName}Data`] : undefined;
  const typeProp = isObject(data) && isObject(data['properties']) ? data['properties']['type'] : undefined;
  if (row.kind === 'p1' && isObject(typeProp) && typeProp['const'] === fromRow.eventType) typeProp['const'] = row.eventType;
  return out;
}

function retype(example: Json, row: CatalogRow): Json {
  if (!isObject(example)) return example;
  const header = example['header'];
  if (row.kind !== 'p1' && isObject(header) && typeof header['event_type'] === 'string') header['event_type'] = row.eventType;
  const event = example['event'];
  if (row.kind === 'p1' && isObject(event) && typeof event['type'] === 'string') event['type'] = row.eventType;
  return example;
}
