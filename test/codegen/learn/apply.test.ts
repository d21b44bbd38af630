import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../../../codegen/load.js';
import { applyPlan, LearnApplyError } from '../../../codegen/learn/apply.js';
import { diffPayload, SchemaIndex } from '../../../codegen/learn/diff.js';
import { plan } from '../../../codegen/learn/plan.js';
import type { JsonObject } from '../../../codegen/schema-file.js';
import { demoPayload, demoSchemas } from './helpers.js';

type Obj = Record<string, any>;
const drifting = [
  demoPayload({ status: 3, name: null, owner: null, brand_new: { nested: { a: 1 } }, count: '7', thing_id: 'much-too-long', tags: [{ label: 'a', color: 'red' }] }, 'e1'),
  demoPayload({ owner: { open_id: 'ou', user_id: null } }, 'e2'),
];

describe('applyPlan', () => {
  it('edits the schemas so that the payloads diff clean, marking each changed or added node captured', () => {
    const { dir, file } = demoSchemas();
    const before = new SchemaIndex(loadSchemas(dir));
    const p = plan(drifting.flatMap((d, i) => diffPayload(before, d, `${i}.json`)));
    expect(p.notLearned).toEqual([]);
    const written = applyPlan(dir, p.changes, before.titles());
    expect(written).toEqual(['common/user_id.json', 'demo/demo.thing.created_v1.json']);

    const after = new SchemaIndex(loadSchemas(dir));
    for (const d of drifting) expect(diffPayload(after, d, 'again.json')).toEqual([]);

    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Obj;
    const data = json.definitions.P2DemoThingCreatedV1Data.properties;
    expect(data.status).toMatchObject({ enum: [1, 2, 3], 'x-lark-source': 'captured' });
    expect(data.name).toMatchObject({ type: ['string', 'null'], 'x-lark-source': 'captured' });
    expect(data.owner).toEqual({ anyOf: [{ $ref: '../common/user_id.json' }, { type: 'null' }], 'x-lark-source': 'captured' });
    expect(data.count).toMatchObject({ type: ['integer', 'string'], 'x-lark-source': 'captured' });
    expect(data.thing_id).toEqual({ type: 'string', 'x-lark-source': 'captured' });
    // A new object property is a named definition, as the conventions want.
    expect(data.brand_new).toMatchObject({ $ref: '#/definitions/P2DemoThingCreatedV1DataBrandNew', 'x-lark-source': 'captured' });
    expect(json.definitions.P2DemoThingCreatedV1DataBrandNew).toMatchObject({ title: 'P2DemoThingCreatedV1DataBrandNew', properties: { nested: { $ref: '#/definitions/P2DemoThingCreatedV1DataBrandNewNested' } } });
    expect(json.definitions.P2DemoThingCreatedV1Tag.properties.color).toMatchObject({ type: 'string', 'x-lark-source': 'captured' });
    const common = JSON.parse(fs.readFileSync(`${dir}/common/user_id.json`, 'utf8')) as Obj;
    expect(common.properties.user_id).toEqual({ type: ['string', 'null'], 'x-lark-source': 'captured' });
  });

  it('leaves what the payloads do not show untouched, and a type flip unlearned', () => {
    const { dir, file, schema } = demoSchemas();
    const index = new SchemaIndex(loadSchemas(dir));
    const p = plan(diffPayload(index, demoPayload({ tags: 'flip' }), 'flip.json'));
    expect(p.changes).toEqual([]);
    expect(applyPlan(dir, p.changes, index.titles())).toEqual([]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject).toEqual(schema);
  });

  it('names the file and pointer when a schema changed under it', () => {
    const { dir } = demoSchemas();
    const index = new SchemaIndex(loadSchemas(dir));
    const p = plan(diffPayload(index, demoPayload({ status: 9 }), 'x.json'));
    const moved = p.changes.map((c) => ({ ...c, at: '/definitions/Gone/properties/status' }));
    expect(() => applyPlan(dir, moved, index.titles())).toThrow(LearnApplyError);
    expect(() => applyPlan(dir, moved, index.titles())).toThrow(/schemas\/demo\/demo\.thing\.created_v1\.json: nothing to change at \/definitions\/Gone\/properties\/status/);
  });
});
