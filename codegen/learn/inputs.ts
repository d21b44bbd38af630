/**
 * What `lark-events learn` reads: captured deliveries (one JSON envelope per file, as
 * `serve --capture` / `connect --capture` write them, or a JSON array of envelopes) and drift
 * reports saved as JSON (`dispatcher.driftReport()`: event type → entries).
 */

import fs from 'node:fs';
import path from 'node:path';
import { jsonErrorLocation } from '../../src/util/json-error-location.js';
import type { DriftKind, JsonType } from '../../src/util/wire-classes.js';
import { DRIFT_KINDS } from '../../src/util/wire-classes.js';
import { isObject, type Json, type JsonObject } from '../schema-file.js';

export interface ReportEntry {
  readonly pointer: string;
  readonly drift: DriftKind;
  readonly types: readonly JsonType[];
  readonly count: number;
}

export type LearnInput =
  | { readonly kind: 'payload'; readonly source: string; readonly payload: JsonObject }
  | { readonly kind: 'report'; readonly source: string; readonly report: Readonly<Record<string, readonly ReportEntry[]>> };

export class LearnInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LearnInputError';
  }
}

const DRIFTS: ReadonlySet<string> = new Set(DRIFT_KINDS);
const TYPES = new Set<string>(['null', 'boolean', 'integer', 'number', 'string', 'array', 'object']);

function isEnvelope(o: JsonObject): boolean {
  return 'schema' in o || 'header' in o || 'uuid' in o || 'event' in o;
}

/** A drift report, or undefined when `o` is not one (an entry that looks wrong is an error, naming it). */
function asReport(o: JsonObject, source: string): Record<string, ReportEntry[]> | undefined {
  const values = Object.values(o);
  if (isEnvelope(o) || values.length === 0 || !values.every((v) => Array.isArray(v))) return undefined;
  const out: Record<string, ReportEntry[]> = {};
  for (const [eventType, entries] of Object.entries(o)) {
    out[eventType] = (entries as Json[]).map((e, i) => {
      const where = `${source}: ${eventType}[${i}]`;
      if (!isObject(e) || typeof e.pointer !== 'string') throw new LearnInputError(`${where}: a drift report entry needs a string "pointer"`);
      const drift = typeof e.drift === 'string' ? e.drift : 'property';
      if (!DRIFTS.has(drift)) throw new LearnInputError(`${where}: unknown drift kind "${drift}" (property, enum, null, type, rule)`);
      const types = Array.isArray(e.types) ? e.types.filter((t): t is string => typeof t === 'string' && TYPES.has(t)) : [];
      return { pointer: e.pointer, drift: drift as DriftKind, types: types as JsonType[], count: typeof e.count === 'number' ? e.count : 1 };
    });
  }
  return out;
}

function readFile(file: string, out: LearnInput[]): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new LearnInputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (err) {
    const at = jsonErrorLocation(text, err);
    throw new LearnInputError(`${file}:${at.line}:${at.column}: not valid JSON: ${at.message}`);
  }
  const items = Array.isArray(json) ? json : [json];
  items.forEach((item, i) => {
    const source = Array.isArray(json) ? `${file}[${i}]` : file;
    if (!isObject(item)) throw new LearnInputError(`${source}: expected a captured delivery (a JSON object) or a drift report`);
    const report = asReport(item, source);
    out.push(report ? { kind: 'report', source, report } : { kind: 'payload', source, payload: item });
  });
}

function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.name.endsWith('.json')) out.push(full);
  }
}

/** Every input under the given files and folders (folders: their *.json files, recursively, sorted). */
export function readInputs(paths: readonly string[]): LearnInput[] {
  const out: LearnInput[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (err) {
      throw new LearnInputError(`${p}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if (stat.isDirectory()) {
      const files: string[] = [];
      walk(p, files);
      for (const f of files) readFile(f, out);
    } else readFile(p, out);
  }
  return out;
}
