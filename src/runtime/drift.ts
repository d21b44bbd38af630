import type { Shape } from './catalog-types.js';
import { unknownProperties } from './shapes.js';

export interface DriftEntry {
  /** JSON pointer with array indexes as `*`. */
  readonly pointer: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** Per event type, the properties real payloads carry that the schema does not know. */
export type DriftReport = Record<string, DriftEntry[]>;

/**
 * Records schema drift from live traffic, so the catalog can be updated from what the platform
 * really sends (hand-kept schemas drift otherwise).
 */
export class DriftRecorder {
  private readonly seen = new Map<string, Map<string, { count: number; firstSeen: string; lastSeen: string }>>();

  record(eventType: string, payload: unknown, shape: Shape): void {
    const pointers = unknownProperties(payload, shape, true);
    if (pointers.length === 0) return;
    const now = new Date().toISOString();
    let perType = this.seen.get(eventType);
    if (!perType) this.seen.set(eventType, (perType = new Map()));
    for (const p of pointers) {
      const e = perType.get(p);
      if (e) {
        e.count++;
        e.lastSeen = now;
      } else perType.set(p, { count: 1, firstSeen: now, lastSeen: now });
    }
  }

  report(): DriftReport {
    const out: DriftReport = {};
    for (const type of [...this.seen.keys()].sort()) {
      const perType = this.seen.get(type);
      if (!perType) continue;
      out[type] = [...perType.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([pointer, e]) => ({ pointer, ...e }));
    }
    return out;
  }

  clear(): void {
    this.seen.clear();
  }
}

export function formatDriftReport(report: DriftReport): string {
  const types = Object.keys(report);
  if (types.length === 0) return 'No drift: every property seen is in the schemas.\n';
  const lines: string[] = [];
  for (const type of types) {
    lines.push(`${type}:`);
    for (const e of report[type] ?? []) lines.push(`  ${e.pointer}  (seen ${e.count}×, last ${e.lastSeen})`);
  }
  return lines.join('\n') + '\n';
}
