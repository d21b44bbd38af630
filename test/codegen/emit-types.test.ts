import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { buildOutputs } from '../../codegen/generate.js';
import { lint } from '../../codegen/lint.js';
import { loadSchemas } from '../../codegen/load.js';
import { buildModel } from '../../codegen/model.js';
import { repo, tmpDir } from '../helpers.js';

const schemasDir = path.join(repo, 'schemas');

async function outputs(): Promise<Map<string, string>> {
  const dir = tmpDir('schemas-headers');
  for (const rel of ['common', 'callback', 'v1/message.json', 'application']) fs.cpSync(path.join(schemasDir, rel), path.join(dir, rel), { recursive: true });
  const schemas = loadSchemas(dir);
  const { events } = lint(schemas, readCatalog(path.join(schemasDir, 'catalog.tsv')));
  return buildOutputs(schemas, buildModel(events, new Map(schemas.map((s) => [s.id, s]))));
}

describe('header typing', () => {
  it('declares each header type once, generic over event_type', async () => {
    const common = (await outputs()).get('common/types.ts') ?? '';
    for (const name of ['EventHeader', 'CallbackHeader']) {
      expect(common.match(new RegExp(`export interface ${name}\\b`, 'g'))).toHaveLength(1);
      expect(common).toMatch(new RegExp(`export interface ${name}<T extends string = string> \\{[^}]*event_type: T;`, 's'));
    }
    expect(common).toMatch(/export interface EnvelopeV2 \{[^}]*header: CallbackHeader;/s);
  });

  it("types every 2.0 event's and callback's header with its own event type, from x-lark.event_type", async () => {
    const out = await outputs();
    const schemas = loadSchemas(schemasDir).filter((s) => /^(callback|application)\//.test(s.rel) && !s.rel.endsWith('definitions.json'));
    expect(schemas.length).toBeGreaterThan(0);
    for (const s of schemas) {
      const meta = s.json['x-lark'] as { event_type: string; kind: string };
      const types = out.get(`${s.rel.split('/')[0]}/types.ts`) ?? '';
      const header = meta.kind === 'callback' ? 'CallbackHeader' : 'EventHeader';
      expect(types, s.rel).toMatch(new RegExp(`export interface ${s.title} \\{[^}]*header: ${header}<'${meta.event_type.replace(/\./g, '\\.')}'>;`, 's'));
    }
  });

  it("types a v1 event's event.type with its literal", async () => {
    const v1 = (await outputs()).get('v1/types.ts') ?? '';
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, 'v1', 'message.json'), 'utf8')) as { examples: Array<{ event: { type: string } }> };
    expect(v1).toContain(`type: '${schema.examples[0]?.event.type ?? '?'}';`);
  });
});
