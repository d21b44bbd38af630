import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPageText } from '../../codegen/import/index.js';
import { loadCatalog } from '../../codegen/import/catalog.js';
import { parsePage } from '../../codegen/import/parse-page.js';
import { parseExample } from '../../codegen/import/examples.js';
import { strictValidate } from './strict-ajv.js';

const DOCS = join(import.meta.dirname, '../fixtures/lark-docs');
const catalog = loadCatalog(join(import.meta.dirname, '../../schemas/catalog.tsv'));
const rows = readFileSync(join(DOCS, 'events/index.tsv'), 'utf8').split('\n').slice(1)
  .map((l) => l.split('\t'))
  .filter((c) => c[2] === 'yes')
  .map(([eventType, page]) => ({ eventType: eventType ?? '', page: page ?? '' }));

describe('pages with an official example', () => {
  it('index.tsv lists some', () => {
    expect(rows.length).toBeGreaterThan(30);
  });

  for (const { eventType, page } of rows) {
    it(`${eventType} (${page})`, () => {
      const path = join(DOCS, page);
      const text = readFileSync(path, 'utf8');
      const r = importPageText(text, path, catalog);
      const produced = r.schemas.find((x) => x.eventType === eventType);
      expect(produced, `no schema for ${eventType}`).toBeDefined();
      if (!produced) return;
      const pageExample = parsePage(text, path).examples.find((e) => e.text !== null);
      const parsed = parseExample(pageExample?.text ?? '');
      if ('error' in parsed) throw new Error(parsed.error);
      const examples = produced.schema['examples'] as unknown[];
      expect(produced.exampleSource).toBe('official');
      expect(examples[0]).toEqual(parsed.value);
      const v = strictValidate(produced.schema, examples[0]);
      expect(v.errors).toBe('No errors');
    });
  }
});
