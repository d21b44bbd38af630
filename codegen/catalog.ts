import fs from 'node:fs';

export type EventKind = 'p2' | 'p1' | 'callback';

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
