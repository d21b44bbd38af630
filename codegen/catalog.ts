import fs from 'node:fs';
import type { EventKind } from './schema-file.js';

export type { EventKind } from './schema-file.js';

export interface CatalogRow {
  eventType: string;
  kind: EventKind;
  typeName: string;
  registerMethod: string;
  docPage: string;
  note: string;
  line: number;
}

const KINDS = new Set<string>(['p2', 'p1', 'callback']);

/** catalog.tsv is malformed: the message starts with file:line. */
export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

/** Reads catalog.tsv; rows that do not have the expected columns are errors naming the line. */
export function readCatalog(file: string): CatalogRow[] {
  return parseCatalogText(fs.readFileSync(file, 'utf8'), file);
}

export function parseCatalogText(text: string, file = 'catalog.tsv'): CatalogRow[] {
  const lines = text.split(/\r?\n/);
  // Lines starting with # are comments (the header explains the columns and the naming rule).
  const first = lines.findIndex((l) => !l.startsWith('#'));
  const start = first < 0 ? lines.length : first;
  const header = (lines[start] ?? '').split('\t');
  // event_type and kind are required; the other columns may be absent (an importer's scratch catalog).
  const col = (name: string, required = false): number => {
    const i = header.indexOf(name);
    if (i < 0 && required) throw new CatalogError(`${file}:${start + 1}: missing column "${name}"`);
    return i;
  };
  const c = {
    type: col('event_type', true), kind: col('kind', true), name: col('type_name'), method: col('register_method'),
    page: col('doc_page'), note: col('note'),
  };
  const rows: CatalogRow[] = [];
  lines.forEach((text, i) => {
    if (i <= start || text.trim() === '' || text.startsWith('#')) return;
    const f = text.split('\t');
    const kind = f[c.kind] ?? '';
    if (!KINDS.has(kind)) throw new CatalogError(`${file}:${i + 1}: kind "${kind}" is not one of p2, p1, callback`);
    rows.push({
      eventType: f[c.type] ?? '', kind: kind as EventKind, typeName: f[c.name] ?? '', registerMethod: f[c.method] ?? '',
      docPage: f[c.page] ?? '', note: f[c.note] ?? '', line: i + 1,
    });
  });
  return rows;
}

/** The domain an event's generated code lives in: first token for schema 2.0 events, `callback`, or `v1`. */
export function domainOf(eventType: string, kind: EventKind): string {
  if (kind === 'callback') return 'callback';
  if (kind === 'p1') return 'v1';
  return eventType.split('.')[0] ?? eventType;
}

/** catalog.tsv rows by event type. */
export function parseCatalog(text: string, file = 'catalog.tsv'): Map<string, CatalogRow> {
  return new Map(parseCatalogText(text, file).map((r) => [r.eventType, r]));
}

export function loadCatalog(file: string): Map<string, CatalogRow> {
  return parseCatalog(fs.readFileSync(file, 'utf8'), file);
}

// The naming rules for event types catalog.tsv does not list (the rows it lists carry their names).

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

/** `register_p2_<event_type with . → _>`; v1: `register_p1_<snake_case key>`. */
export function registerMethodFor(eventType: string, kind: EventKind): string {
  return kind === 'p1' ? `register_p1_${snakeCase(eventType)}` : `register_p2_${eventType.replace(/\./g, '_')}`;
}
