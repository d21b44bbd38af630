import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../../../codegen/load.js';
import { diffPayload, SchemaIndex } from '../../../codegen/learn/diff.js';
import { formatPlan, inferSchema, plan } from '../../../codegen/learn/plan.js';
import { demoPayload, demoSchemas } from './helpers.js';

describe('plan', () => {
  const index = new SchemaIndex(loadSchemas(demoSchemas().dir));
  const findings = [
    ...diffPayload(index, demoPayload({ status: 3, brand_new: 'x', tags: [{ color: 'red' }, { color: 'blue' }] }, 'e1'), 'one.json'),
    ...diffPayload(index, demoPayload({ status: 4, brand_new: 5, tags: [{ color: 'red' }] }, 'e2'), 'two.json'),
    ...diffPayload(index, demoPayload({ tags: {} }, 'e3'), 'three.json'),
  ];
  const p = plan(findings);

  it('one change per schema node and kind, with its evidence: payloads counted once each', () => {
    expect(p.changes.map((c) => [c.kind, c.at, c.property ?? c.values ?? c.types, c.evidence.payloads, c.evidence.pointers])).toEqual([
      ['add-property', '/definitions/P2DemoThingCreatedV1Data', 'brand_new', 2, ['/event/brand_new']],
      ['add-enum-value', '/definitions/P2DemoThingCreatedV1Data/properties/status', [3, 4], 2, ['/event/status']],
      ['add-property', '/definitions/P2DemoThingCreatedV1Tag', 'color', 2, ['/event/tags/*/color']],
    ]);
    expect(p.changes[0]?.schema).toEqual({ type: ['string', 'integer'] });
  });

  it('lists contradictions apart, never as changes', () => {
    expect(p.notLearned).toEqual([{ eventType: 'demo.thing.created_v1', pointer: '/event/tags', reason: 'expected array, found object', payloads: 1, sources: ['three.json'] }]);
    const text = formatPlan(p, { payloads: 3, reports: 0 });
    expect(text).toContain('3 schema change(s) would make them valid:');
    expect(text).toContain('add enum values 3, 4 at schemas/demo/demo.thing.created_v1.json#/definitions/P2DemoThingCreatedV1Data/properties/status');
    expect(text).toContain('evidence: 2 payload(s) of demo.thing.created_v1 at /event/status');
    expect(text).toMatch(/1 problem\(s\) learn does not change schemas for[^\n]*\n {2}demo\.thing\.created_v1 \/event\/tags: expected array, found object \(1 payload\(s\): three\.json\)/);
  });
});

describe('inferSchema', () => {
  it('types what was seen: nested objects with their properties, array items, integers widened by numbers, null kept', () => {
    expect(inferSchema([{ a: 1, b: [{ c: 'x' }] }, { a: 1.5, d: null }, null])).toEqual({
      type: ['object', 'null'],
      properties: { a: { type: 'number' }, b: { type: 'array', items: { type: 'object', properties: { c: { type: 'string' } } } }, d: { type: 'null' } },
    });
  });
});
