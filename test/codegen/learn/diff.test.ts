import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMessageContent } from '../../../codegen/load.js';
import { repo } from '../../helpers.js';
import { loadSchemas } from '../../../codegen/load.js';
import { diffPayload, diffReport, SchemaIndex } from '../../../codegen/learn/diff.js';
import { demoPayload, demoSchemas } from './helpers.js';

const index = () => new SchemaIndex(loadSchemas(demoSchemas().dir));
const FILE = 'demo/demo.thing.created_v1.json';
const DATA = '/definitions/P2DemoThingCreatedV1Data';
const brief = (fs: ReturnType<typeof diffPayload>) => fs.map((f) => [f.kind, f.pointer, f.location ? `${f.location.file}#${f.location.at}` : f.message]);

describe('diffPayload', () => {
  it('finds nothing in a payload the schema accepts', () => {
    expect(diffPayload(index(), demoPayload({ owner: { open_id: 'ou' }, tags: [{ label: 'a' }], extra: { anything: [1] } }), 'a.json')).toEqual([]);
  });

  it('locates each kind of drift at the schema node that would change', () => {
    const found = diffPayload(index(), demoPayload({ status: 3, name: null, owner: null, brand_new: { a: 1 }, count: '7', thing_id: 'much-too-long', tags: [{ label: 'a', color: 'red' }] }), 'a.json');
    expect(brief(found).sort()).toEqual([
      ['enum', '/event/status', `${FILE}#${DATA}/properties/status`],
      ['null', '/event/name', `${FILE}#${DATA}/properties/name`],
      ['null', '/event/owner', `${FILE}#${DATA}/properties/owner`],
      ['property', '/event/brand_new', `${FILE}#${DATA}`],
      ['property', '/event/tags/*/color', `${FILE}#/definitions/P2DemoThingCreatedV1Tag`],
      ['rule', '/event/thing_id', `${FILE}#${DATA}/properties/thing_id`],
      ['type', '/event/count', `${FILE}#${DATA}/properties/count`],
    ].sort());
    expect(found.find((f) => f.kind === 'enum')?.value).toBe(3);
    expect(found.find((f) => f.kind === 'rule')?.keyword).toBe('maxLength');
    expect(found.find((f) => f.pointer === '/event/brand_new')?.value).toEqual({ a: 1 });
  });

  it('follows $refs into shared files', () => {
    const found = diffPayload(index(), demoPayload({ owner: { open_id: 'ou', user_id: null } }), 'a.json');
    expect(brief(found)).toEqual([['null', '/event/owner/user_id', 'common/user_id.json#/properties/user_id']]);
  });

  it('leaves contradictions alone: a type flip where the evidence is unanimous, a missing required field, a broken envelope', () => {
    const flip = diffPayload(index(), demoPayload({ tags: 'not a list' }), 'a.json');
    expect(brief(flip)).toEqual([['contradiction', '/event/tags', 'expected array, found string']]);
    const missing = demoPayload();
    delete (missing.event as Record<string, unknown>).thing_id;
    expect(brief(diffPayload(index(), missing, 'b.json'))).toEqual([['contradiction', '/event/thing_id', 'missing the required property "thing_id"']]);
    const envelope = demoPayload();
    (envelope.header as Record<string, unknown>).event_id = null;
    expect(brief(diffPayload(index(), envelope, 'c.json'))[0]?.[0]).toBe('contradiction');
    expect(brief(diffPayload(index(), { schema: '2.0', header: { event_type: 'no.such_v1' }, event: {} }, 'd.json'))).toEqual([['contradiction', '', 'no schema for event type "no.such_v1"']]);
  });
});

describe('diffPayload agrees with strict validation', () => {
  it('finds nothing in any catalog example or official example payload (all strict-valid)', () => {
    const schemas = loadSchemas(path.join(repo, 'schemas'));
    const catalog = new SchemaIndex(schemas);
    const payloads: Array<[string, unknown]> = [];
    for (const s of schemas) {
      if (isMessageContent(s) || typeof (s.json['x-lark'] as { event_type?: unknown } | undefined)?.event_type !== 'string') continue;
      for (const ex of (s.json.examples as unknown[] | undefined) ?? []) payloads.push([s.rel, ex]);
    }
    const dir = path.join(repo, 'test/fixtures/lark-docs/examples');
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) payloads.push([f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]);
    expect(payloads.length).toBeGreaterThan(schemas.length);
    const found = payloads.flatMap(([src, p]) => diffPayload(catalog, p as never, src).map((f) => `${src}: ${f.kind} ${f.pointer} ${f.message ?? ''}`));
    expect(found).toEqual([]);
  });

  it('skips the challenge and asks for decrypted captures', () => {
    expect(diffPayload(index(), { type: 'url_verification', challenge: 'c', token: 't' }, 'c.json')).toEqual([]);
    expect(brief(diffPayload(index(), { encrypt: 'abc' }, 'e.json'))).toEqual([['contradiction', '', expect.stringMatching(/decrypted/)]]);
  });
});

describe('diffReport', () => {
  it('locates report entries by pointer; enum values and rules cannot be learned from a report (it keeps no values)', () => {
    const found = diffReport(index(), {
      'demo.thing.created_v1': [
        { pointer: '/event/tags/*/color', drift: 'property', types: ['string'], count: 4 },
        { pointer: '/event/name', drift: 'null', types: ['null'], count: 2 },
        { pointer: '/event/status', drift: 'enum', types: ['integer'], count: 1 },
      ],
    }, 'report.json');
    expect(brief(found)).toEqual([
      ['property', '/event/tags/*/color', `${FILE}#/definitions/P2DemoThingCreatedV1Tag`],
      ['null', '/event/name', `${FILE}#${DATA}/properties/name`],
      ['contradiction', '/event/status', expect.stringMatching(/keeps no values/)],
    ]);
    expect(found[0]).toMatchObject({ property: 'color', count: 4, types: ['string'] });
  });
});
