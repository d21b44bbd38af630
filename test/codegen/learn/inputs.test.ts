import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LearnInputError, readInputs } from '../../../codegen/learn/inputs.js';
import { tmpDir } from '../../helpers.js';
import { demoPayload } from './helpers.js';

describe('readInputs', () => {
  const dir = tmpDir('learn-inputs');
  fs.mkdirSync(path.join(dir, 'captures', 'nested'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'captures', 'b.json'), JSON.stringify(demoPayload({}, 'b')));
  fs.writeFileSync(path.join(dir, 'captures', 'nested', 'a.json'), JSON.stringify([demoPayload({}, 'a1'), demoPayload({}, 'a2')]));
  fs.writeFileSync(path.join(dir, 'captures', 'notes.txt'), 'not json, not read');
  const report = path.join(dir, 'report.json');
  fs.writeFileSync(report, JSON.stringify({ 'demo.thing.created_v1': [{ pointer: '/event/x', drift: 'property', types: ['string'], count: 3, firstSeen: 'a', lastSeen: 'b' }] }));

  it('reads folders recursively (*.json, sorted), arrays of deliveries, and drift reports', () => {
    const inputs = readInputs([path.join(dir, 'captures'), report]);
    expect(inputs.map((i) => [i.kind, path.relative(dir, i.source)])).toEqual([
      ['payload', 'captures/b.json'],
      ['payload', 'captures/nested/a.json[0]'],
      ['payload', 'captures/nested/a.json[1]'],
      ['report', 'report.json'],
    ]);
    const r = inputs[3];
    expect(r?.kind === 'report' && r.report['demo.thing.created_v1']).toEqual([{ pointer: '/event/x', drift: 'property', types: ['string'], count: 3 }]);
  });

  it('names the file, line and column of invalid JSON, and unreadable paths', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{\n  "a": 1,\n  oops\n}');
    expect(() => readInputs([bad])).toThrow(LearnInputError);
    expect(() => readInputs([bad])).toThrow(/bad\.json:3:\d+: not valid JSON/);
    expect(() => readInputs([path.join(dir, 'nope')])).toThrow(/nope: cannot read \(ENOENT\)/);
    const wrong = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrong, JSON.stringify({ 'demo.thing.created_v1': [{ pointer: '/x', drift: 'mystery' }] }));
    expect(() => readInputs([wrong])).toThrow(/wrong\.json: demo\.thing\.created_v1\[0\]: unknown drift kind "mystery"/);
  });
});
