import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { fieldRows, requiredShares } from './fields.js';
import type { LoadedSchema } from './load.js';
import type { DomainModel, EventModel } from './model.js';
import { permissionsOf } from './model.js';

import { repoRoot } from './paths.js';

const templates = path.join(repoRoot, 'codegen', 'templates');
const load = (name: string) => Handlebars.compile(fs.readFileSync(path.join(templates, name), 'utf8'), { noEscape: true });

const KIND_LABEL: Record<EventModel['kind'], string> = { p2: 'schema 2.0 event', p1: 'v1 event', callback: 'callback (the handler returns the answer)' };
/** Markdown table cells cannot hold raw newlines or pipes. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n+/g, '<br>');
/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const anchor = (s: string): string => s.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

export function emitDocs(domains: DomainModel[], all: Map<string, LoadedSchema>, banner: string): Map<string, string> {
  const index = load('index.md.hbs');
  const page = load('domain.md.hbs');
  const out = new Map<string, string>();
  const events = domains.flatMap((d) => d.events).sort((a, b) => (a.eventType < b.eventType ? -1 : 1));
  const counts = { p2: 0, p1: 0, callback: 0 };
  for (const e of events) counts[e.kind]++;
  out.set('docs/README.md', index({
    banner, total: events.length, counts, domains,
    shares: requiredShares(events.map((e) => ({ domain: e.domain, schema: e.schema })), all).map((r) => ({ ...r, percent: (r.share * 100).toFixed(1) })),
    all: events.map((e) => ({ ...e, anchor: anchor(e.eventType) })),
  }));
  for (const d of domains) {
    out.set(`docs/${d.name}.md`, page({
      banner,
      name: d.name,
      events: d.events.map((e) => ({
        ...e,
        kindLabel: KIND_LABEL[e.kind],
        isP1: e.kind === 'p1',
        description: e.description,
        permissions: permissionsOf(e),
        source: String((e.schema.json['x-lark'] as Record<string, unknown> | undefined)?.source ?? ''),
        fields: fieldRows(e.schema, all).map((f) => ({
          ...f,
          cell: cell([f.description, ...f.notes].filter(Boolean).join(' — ')),
        })),
      })),
    }));
  }
  return out;
}
