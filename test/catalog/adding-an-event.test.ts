import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { emitCatalog, emitRegistrations } from '../../codegen/emit-dispatcher.js';
import { registerMethodFor, typeNameFor } from '../../codegen/catalog.js';
import { lint } from '../../codegen/lint.js';
import { loadSchemas } from '../../codegen/load.js';
import { buildModel } from '../../codegen/model.js';
import { repo, tmpDir } from '../helpers.js';

const schemasDir = path.join(repo, 'schemas');
const catalog = readCatalog(path.join(schemasDir, 'catalog.tsv'));

function testFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'fixtures' && e.name !== 'node_modules') testFiles(full, out);
    } else if (/\.(ts|mts|js|mjs)$/.test(e.name)) out.push(full);
  }
  return out;
}

describe('adding an event per README', () => {
  it('a new catalog.tsv row named by the header\'s rule plus its schema passes lint and reaches the generated catalog and dispatcher', () => {
    const dir = tmpDir('add-event');
    fs.cpSync(schemasDir, dir, { recursive: true });
    const eventType = 'im.message.scratch_added_v1';
    const typeName = typeNameFor(eventType, 'p2');
    const method = registerMethodFor(eventType, 'p2');
    expect([typeName, method]).toEqual(['P2ImMessageScratchAddedV1', 'register_p2_im_message_scratch_added_v1']);
    // Step 1: the row. Step 2 (an imported or hand-written schema): a renamed copy of a sibling's.
    fs.appendFileSync(path.join(dir, 'catalog.tsv'), `${eventType}\tp2\t${typeName}\t${method}\tno\tno\tno\t\t\n`);
    const sibling = fs.readFileSync(path.join(dir, 'im', 'im.message.receive_v1.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'im', `${eventType}.json`), sibling
      .replaceAll('P2ImMessageReceiveV1', typeName)
      .replaceAll('register_p2_im_message_receive_v1', method)
      .replaceAll('im.message.receive_v1', eventType));

    const rows = readCatalog(path.join(dir, 'catalog.tsv'));
    expect(rows.length).toBe(catalog.length + 1);
    const schemas = loadSchemas(dir);
    const { events, problems, missing } = lint(schemas, rows);
    expect(problems).toEqual([]);
    expect(missing).toEqual([]);
    expect(events.length).toBe(rows.length);
    const domains = buildModel(events, new Map(schemas.map((s) => [s.id, s])));
    expect(domains.reduce((n, d) => n + d.events.length, 0)).toBe(rows.length);
    expect(emitCatalog(domains)).toContain(`eventType: "${eventType}", kind: "p2", domain: "im", typeName: "${typeName}", registerMethod: "${method}"`);
    expect(emitRegistrations(domains.find((d) => d.name === 'im')!)).toContain(method);
  });

  it('no test hard-codes a count that schemas/catalog.tsv gives (rows, rows per kind, per domain)', () => {
    const counts = new Map<number, string>([[catalog.length, 'catalog rows']]);
    const tally = (key: (r: (typeof catalog)[number]) => string, what: string) => {
      const by = new Map<string, number>();
      for (const r of catalog) by.set(key(r), (by.get(key(r)) ?? 0) + 1);
      for (const [k, n] of by) if (n >= 20 && !counts.has(n)) counts.set(n, `${what} ${k}`);
    };
    tally((r) => r.kind, 'rows of kind');
    tally((r) => (r.kind === 'p2' ? r.eventType.split('.')[0]! : r.kind), 'rows of domain');
    const literal = [...counts.keys()].join('|');
    const assertion = new RegExp(`(?:toHaveLength|toBe|toEqual|toBeGreaterThanOrEqual|toBeLessThanOrEqual)\\(\\s*(${literal})\\s*\\)|\\.length\\s*[!=]==?\\s*(${literal})\\b`);
    const found: string[] = [];
    for (const file of testFiles(path.join(repo, 'test'))) {
      fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        const m = assertion.exec(line);
        if (m) found.push(`${path.relative(repo, file)}:${i + 1}: ${counts.get(Number(m[1] ?? m[2]))}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});
