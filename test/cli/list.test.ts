import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { alignColumns } from '../../src/cli/commands/list.js';
import { repo } from '../helpers.js';
import { run as runSync } from './helpers.js';

const run = promisify(execFile);
const bin = path.join(repo, 'bin', 'lark-events.js');

describe('lark-events list', () => {
  it('--json lists every catalogued row with the catalog names', () => {
    const r = runSync(['list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ event_type: string; kind: string; type_name: string; register_method: string }>;
    const expected = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'))
      .map((c) => ({ event_type: c.eventType, kind: c.kind, type_name: c.typeName, register_method: c.registerMethod }))
      .sort((a, b) => (a.event_type < b.event_type ? -1 : 1));
    expect(rows).toEqual(expected);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('prints one row per catalog.tsv row, every column starting at the same offset', async () => {
    const { stdout } = await run(process.execPath, [bin, 'list'], { cwd: repo });
    const lines = stdout.trimEnd().split('\n');
    const catalog = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'));
    expect(lines).toHaveLength(catalog.length);
    const rows = new Map(catalog.map((c) => [c.eventType + ' ' + c.kind, [c.eventType, c.kind, c.typeName, c.registerMethod]]));
    const widths = [0, 1, 2].map((i) => Math.max(...[...rows.values()].map((r) => r[i]!.length)));
    const starts = [0, widths[0]! + 2, widths[0]! + widths[1]! + 4, widths[0]! + widths[1]! + widths[2]! + 6];
    for (const line of lines) {
      const cells = starts.map((s, i) => line.slice(s, starts[i + 1]).trimEnd());
      expect(rows.get(`${cells[0]} ${cells[1]}`), line).toEqual(cells);
      // Each column but the first starts right after two spaces of padding.
      for (const s of starts.slice(1)) expect(line.slice(s - 2, s + 1), line).toMatch(/^ {2}\S$/);
    }
  });

  it('alignColumns pads to the widest cell of each column and leaves the last column unpadded', () => {
    expect(alignColumns([['a', 'bbb', 'c'], ['aaaa', 'b', 'cc']])).toEqual(['a     bbb  c', 'aaaa  b    cc']);
  });
});
