import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, tmpDir } from '../helpers.js';
import { run } from './helpers.js';

const dir = tmpDir('cli');
const write = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
};
const SEED = 'application.application.app_version.publish_apply_v6';
const seed = write('seed.json', example('application', SEED));
const badSeed = (() => {
  const e = example('application', SEED) as { event: { online_version: { scopes: Array<{ level: unknown }> } } };
  e.event.online_version.scopes[0]!.level = '1';
  return write('bad.json', e);
})();

describe('lark-events validate', () => {
  it('accepts the seed example (exit 0)', () => {
    const r = run(['validate', seed]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`valid ${SEED}`);
  });

  it('rejects scopes[0].level = "1", naming the event type, pointer, expected and found (exit 1)', () => {
    const r = run(['validate', seed, badSeed]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${badSeed}: ${SEED}: /event/online_version/scopes/0/level: expected integer, found "1"`);
  });

  it('--json prints one object per file', () => {
    const r = run(['validate', '--json', seed, badSeed]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Array<{ file: string; event_type: string; valid: boolean; errors: Array<{ pointer: string }> }>;
    expect(out.map((o) => [o.file, o.event_type, o.valid])).toEqual([[seed, SEED, true], [badSeed, SEED, false]]);
    expect(out[1]?.errors.map((e) => e.pointer)).toContain('/event/online_version/scopes/0/level');
  });

  it('--strict rejects unknown properties', () => {
    const e = example('application', SEED) as { event: Record<string, unknown> };
    e.event.surprise = 1;
    const file = write('extra.json', e);
    expect(run(['validate', file]).code).toBe(0);
    const strict = run(['validate', '--strict', file]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('/event/surprise: expected no such property');
  });

  it('reads standard input with -', () => {
    expect(run(['validate', '-'], fs.readFileSync(seed, 'utf8')).code).toBe(0);
  });

  it('exits 2 on non-JSON input (with line and column), unreadable files and usage errors', () => {
    const broken = run(['validate', write('broken.json', '{\n  "a": 1,\n  oops\n}')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.json:3:\d+: not valid JSON/);
    const missing = run(['validate', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read \(ENOENT\)/);
    expect(run(['validate']).code).toBe(2);
    expect(run(['frobnicate']).code).toBe(2);
  });

  it('reports an event type the catalog does not know as invalid', () => {
    const r = run(['validate', write('unknown.json', { schema: '2.0', header: { event_type: 'no.such_v1', event_id: 'e', token: 't', app_id: 'a', create_time: '1' }, event: {} })]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no schema for event type "no.such_v1"');
  });
});
