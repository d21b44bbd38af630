import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPageText } from '../../../codegen/import/index.js';
import { loadCatalog } from '../../../codegen/import/catalog.js';
import { strictValidate } from './strict-ajv.js';

const DOCS = join(import.meta.dirname, '../../fixtures/lark-docs');
const catalog = loadCatalog(join(import.meta.dirname, '../../../schemas/catalog.tsv'));
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
      const examples = produced.schema['examples'] as unknown[];
      expect(produced.exampleSource).toBe('official');
      // An oracle independent of the importer's parser: the page's first json block, read here.
      const block = /```json\r?\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
      let oracle: unknown;
      try {
        oracle = JSON.parse(block);
      } catch {
        oracle = undefined;
      }
      if (oracle !== undefined) expect(examples[0]).toEqual(oracle);
      else {
        // The block needed repair (comments, trailing commas, …): every value kept must be in it.
        const strings: string[] = [];
        const collect = (v: unknown): void => {
          if (typeof v === 'string') strings.push(v);
          else if (v && typeof v === 'object') Object.values(v).forEach(collect);
        };
        collect(examples[0]);
        expect(strings.length).toBeGreaterThan(0);
        for (const str of strings) expect(block, str).toContain(JSON.stringify(str).slice(1, -1));
      }
      const v = strictValidate(produced.schema, examples[0]);
      expect(v.errors).toBe('No errors');
    });
  }
});
