import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { repo } from '../helpers.js';
import { run } from './helpers.js';

describe('lark-events list', () => {
  it('--json lists every catalogued row with the catalog names', () => {
    const r = run(['list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ event_type: string; kind: string; type_name: string; register_method: string }>;
    const expected = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'))
      .map((c) => ({ event_type: c.eventType, kind: c.kind, type_name: c.typeName, register_method: c.registerMethod }))
      .sort((a, b) => (a.event_type < b.event_type ? -1 : 1));
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(250);
  });
});
