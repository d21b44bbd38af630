/** catalog.tsv rows and the naming rule for event types that are not listed. */

import { readFileSync } from 'node:fs';
import type { EventKind } from './to-schema.js';

export interface CatalogRow {
  eventType: string;
  kind: EventKind;
  typeName: string;
  registerMethod: string;
  docPage: string;
  note: string;
}

export function parseCatalog(text: string): Map<string, CatalogRow> {
  const rows = new Map<string, CatalogRow>();
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split('\t');
  const col = (name: string): number => header.indexOf(name);
  for (const line of lines.slice(1)) {
    const c = line.split('\t');
    const kind = c[col('kind')] ?? '';
    if (kind !== 'p2' && kind !== 'p1' && kind !== 'callback') continue;
    const eventType = c[col('event_type')] ?? '';
    rows.set(eventType, {
      eventType,
      kind,
      typeName: c[col('type_name')] ?? '',
      registerMethod: c[col('register_method')] ?? '',
      docPage: c[col('doc_page')] ?? '',
      note: c[col('note')] ?? '',
    });
  }
  return rows;
}

export function loadCatalog(path: string): Map<string, CatalogRow> {
  return parseCatalog(readFileSync(path, 'utf8'));
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `P2` + every token (split on `.` and `_`) with its first letter upper-cased; `P1` for v1 keys. */
export function typeNameFor(eventType: string, kind: EventKind): string {
  return (kind === 'p1' ? 'P1' : 'P2') + eventType.split(/[._]/).filter((t) => t !== '').map(upperFirst).join('');
}

export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function registerMethodFor(eventType: string, kind: EventKind): string {
  return kind === 'p1' ? `register_p1_${snakeCase(eventType)}` : `register_p2_${eventType.replace(/\./g, '_')}`;
}

export function domainFor(eventType: string, kind: EventKind): string {
  if (kind === 'p1') return 'v1';
  if (kind === 'callback') return 'callback';
  return eventType.split('.')[0] ?? eventType;
}
