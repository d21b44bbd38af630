import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, parseCatalogText } from '../../codegen/catalog.js';
import { repo } from '../helpers.js';

describe('catalog.tsv reader', () => {
  it('skips # comment lines (before the column line and between rows) and keeps file line numbers', () => {
    const rows = parseCatalogText('# about\n# more\nevent_type\tkind\na.b_v1\tp2\n# aside\nmessage\tp1\n', 'c.tsv');
    expect(rows.map((r) => [r.eventType, r.kind, r.line])).toEqual([['a.b_v1', 'p2', 4], ['message', 'p1', 6]]);
    expect(() => parseCatalogText('# about\nevent_type\tkind\nx\tp9\n', 'c.tsv')).toThrow(new CatalogError('c.tsv:3: kind "p9" is not one of p2, p1, callback'));
    expect(() => parseCatalogText('# about\nevent_type\n', 'c.tsv')).toThrow(new CatalogError('c.tsv:2: missing column "kind"'));
  });

  it('schemas/catalog.tsv states its naming rule in its header', () => {
    const head = fs.readFileSync(path.join(repo, 'schemas', 'catalog.tsv'), 'utf8').split('\n').filter((l) => l.startsWith('#')).join('\n');
    expect(head).toMatch(/Naming rule, type_name/);
    expect(head).toMatch(/Naming rule, register_method/);
  });
});
