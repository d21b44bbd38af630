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

  it('--json names the class of each problem: contradictions fail in every mode, drift only with --strict', () => {
    const m = example('im', 'im.message.receive_v1') as { event: { message: Record<string, unknown> } };
    m.event.message.chat_type = 'topic_group';
    m.event.message.brand_new = 1;
    const drifting = write('drifting.json', m);
    type Out = Array<{ valid: boolean; errors: Array<{ pointer: string; class: string; drift?: string }>; drift: Array<{ pointer: string; class: string; drift?: string }> }>;
    const lenient = run(['validate', '--json', badSeed, drifting]);
    expect(lenient.code).toBe(1);
    const [bad, drift] = JSON.parse(lenient.stdout) as Out;
    expect(bad?.errors).toEqual([expect.objectContaining({ pointer: '/event/online_version/scopes/0/level', class: 'contradiction' })]);
    expect(drift?.valid).toBe(true);
    expect(drift?.drift.map((e) => [e.pointer, e.class, e.drift])).toEqual([['/event/message/chat_type', 'drift', 'enum'], ['/event/message/brand_new', 'drift', 'property']]);
    const strict = run(['validate', '--json', '--strict', drifting]);
    expect(strict.code).toBe(1);
    const [s] = JSON.parse(strict.stdout) as Out;
    expect(s?.valid).toBe(false);
    expect(s?.errors.map((e) => [e.pointer, e.class])).toEqual([['/event/message/chat_type', 'drift'], ['/event/message/brand_new', 'drift']]);
    expect(run(['validate', drifting]).stdout).toContain(`${drifting}: im.message.receive_v1: /event/message/chat_type: expected one of "p2p", "group", found "topic_group" (drift: enum)`);
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
