import type { Shape } from './catalog-types.js';
import type { DriftKind, JsonType } from './classify.js';
import { jsonTypeOf } from './classify.js';
import { unknownProperties } from '../util/unknown-properties.js';
import type { ValidationIssue } from './validation.js';
import { unescapeToken, valueAt } from '../util/json-pointer.js';

export type { DriftKind, JsonType };

export interface DriftEntry {
  /** JSON pointer with array indexes as `*`. */
  readonly pointer: string;
  /** What the catalog does not know yet: `property`, `enum`, `null`, `type` or `rule`. */
  readonly drift: DriftKind;
  /** The JSON types of the values seen there, sorted (never the values: payloads hold personal data). */
  readonly types: readonly JsonType[];
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** Per event type, what real payloads carry that the schema does not know, by pointer and kind. */
export type DriftReport = Record<string, DriftEntry[]>;

interface Tally {
  count: number;
  firstSeen: string;
  lastSeen: string;
  types: Set<JsonType>;
}

/** `pointer` with the indexes of the payload's arrays as `*`, so one field of a list is one entry. */
export function generalizePointer(payload: unknown, pointer: string): string {
  let cur: unknown = payload;
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    if (Array.isArray(cur)) {
      out += '/*';
      cur = cur[Number(raw)];
    } else {
      out += `/${raw}`;
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[unescapeToken(raw)] : undefined;
    }
  }
  return out;
}

/**
 * Records schema drift from live traffic, so the catalog can be updated from what the platform
 * really sends (hand-kept schemas drift otherwise): every drift class per event type and JSON
 * pointer, with counts, first and last seen, and the JSON types seen. `lark-events learn` reads a
 * saved report.
 */
export class DriftRecorder {
  private readonly seen = new Map<string, Map<string, Tally>>();

  private add(eventType: string, pointer: string, drift: DriftKind, type: JsonType, now: string): void {
    let perType = this.seen.get(eventType);
    if (!perType) this.seen.set(eventType, (perType = new Map()));
    const key = `${pointer}\u0000${drift}`;
    const e = perType.get(key);
    if (e) {
      e.count++;
      e.lastSeen = now;
      e.types.add(type);
    } else perType.set(key, { count: 1, firstSeen: now, lastSeen: now, types: new Set([type]) });
  }

  /** Records the drift-class issues of one payload (contradictions are ignored); a pointer counts once per payload. */
  recordIssues(eventType: string, payload: unknown, issues: readonly ValidationIssue[]): void {
    const now = new Date().toISOString();
    const done = new Set<string>();
    for (const issue of issues) {
      if (issue.class === 'drift' && issue.drift) this.addAt(eventType, payload, issue.pointer, issue.drift, issue.foundType, now, done);
    }
  }

  /** Records the properties of a payload its shape does not know (drift `property`). */
  record(eventType: string, payload: unknown, shape: Shape): void {
    const pointers = unknownProperties(payload, shape);
    if (pointers.length === 0) return;
    const now = new Date().toISOString();
    const done = new Set<string>();
    for (const p of pointers) this.addAt(eventType, payload, p, 'property', undefined, now, done);
  }

  /** One drift at a payload's pointer, under its generalized pointer (counted once per payload in `done`). */
  private addAt(eventType: string, payload: unknown, pointer: string, drift: DriftKind, foundType: JsonType | 'missing' | undefined, now: string, done: Set<string>): void {
    const general = generalizePointer(payload, pointer);
    const key = `${general}\u0000${drift}`;
    if (done.has(key)) return;
    done.add(key);
    const t = foundType ?? jsonTypeOf(valueAt(payload, pointer));
    this.add(eventType, general, drift, t === 'missing' ? 'null' : t, now);
  }

  report(): DriftReport {
    const out: DriftReport = {};
    for (const type of [...this.seen.keys()].sort()) {
      const perType = this.seen.get(type);
      if (!perType) continue;
      out[type] = [...perType.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, e]) => ({ pointer: key.slice(0, key.indexOf('\u0000')), drift: key.slice(key.indexOf('\u0000') + 1) as DriftKind, types: [...e.types].sort(), count: e.count, firstSeen: e.firstSeen, lastSeen: e.lastSeen }));
    }
    return out;
  }

  clear(): void {
    this.seen.clear();
  }
}

const KIND_TEXT: Readonly<Record<DriftKind, string>> = {
  property: 'unknown property',
  enum: 'new enum value',
  null: 'null where none was seen',
  type: 'type not in the schema',
  rule: 'breaks a documented rule',
};

export function formatDriftReport(report: DriftReport): string {
  const types = Object.keys(report);
  if (types.length === 0) return 'No drift: every payload seen matches the schemas.\n';
  const lines: string[] = [];
  for (const type of types) {
    lines.push(`${type}:`);
    for (const e of report[type] ?? []) lines.push(`  ${e.pointer}  (seen ${e.count}×, last ${e.lastSeen}): ${KIND_TEXT[e.drift] ?? e.drift}, ${e.types.join(' or ')}`);
  }
  return lines.join('\n') + '\n';
}
