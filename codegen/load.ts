import fs from 'node:fs';
import path from 'node:path';
import { jsonErrorLocation } from '../src/util/json-error-location.js';
import { isObject, type EventKind, type Json, type JsonObject } from './schema-file.js';

export interface LarkMeta {
  event_type: string;
  kind: EventKind;
  register_method: string;
  source?: string;
  permissions?: string[];
  field_permissions?: string[];
  app_types?: string[];
  response?: string;
}

export interface LoadedSchema {
  /** Path relative to schemas/, with forward slashes. */
  rel: string;
  file: string;
  /** The file's text as read, for locating problems by line. */
  text: string;
  json: JsonObject;
  id: string;
  title: string;
}

export interface EventSchema extends LoadedSchema {
  meta: LarkMeta;
  domain: string;
}

export class SchemaLoadError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'SchemaLoadError';
  }
}

/** JSON.parse with the error turned into file:line. */
export function parseJsonFile(file: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    const at = jsonErrorLocation(text, err);
    throw new SchemaLoadError(file, at.line, `invalid JSON: ${at.message}`);
  }
}

function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith('.json')) out.push(full);
  }
}

/** Every *.json under schemasDir, sorted by relative path so that everything downstream is deterministic. */
export function loadSchemas(schemasDir: string): LoadedSchema[] {
  const files: string[] = [];
  walk(schemasDir, files);
  return files.map((file) => {
    const rel = path.relative(schemasDir, file).split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8');
    const json = parseJsonFile(file, text);
    if (!isObject(json)) throw new SchemaLoadError(file, 1, 'a schema must be a JSON object');
    return { rel, file, text, json, id: typeof json.$id === 'string' ? json.$id : '', title: typeof json.title === 'string' ? json.title : '' };
  }).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export function isCommon(s: LoadedSchema): boolean {
  return s.rel.startsWith('common/');
}

/** `schemas/<domain>/definitions.json`: shapes several events of one domain share. */
export function isDomainShared(s: LoadedSchema): boolean {
  return /^[^/]+\/definitions\.json$/.test(s.rel) && !isCommon(s);
}

/** `schemas/im/content/<message_type>.json`: the JSON inside a message's `content` string, by message type. */
export function isMessageContent(s: LoadedSchema): boolean {
  return s.rel.startsWith('im/content/');
}

/** A file of shared shapes only (common/ or a domain's definitions.json), not an event. */
export function isShared(s: LoadedSchema): boolean {
  return isCommon(s) || isDomainShared(s);
}
