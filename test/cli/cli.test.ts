import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { example, repo, tmpDir } from '../helpers.js';

const bin = path.join(repo, 'bin', 'lark-events.js');

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

describe('lark-events list', () => {
  it('--json lists every catalogued row with the catalog names', () => {
    const r = run(['list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ event_type: string; kind: string; type_name: string; register_method: string }>;
    const expected = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'))
      .map((c) => ({ event_type: c.eventType, kind: c.kind, type_name: c.typeName, register_method: c.registerMethod }))
      .sort((a, b) => (a.event_type < b.event_type ? -1 : 1));
    expect(rows).toEqual(expected);
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe('lark-events schema', () => {
  it('prints a self-contained schema: every $ref is local and resolves', () => {
    const r = run(['schema', 'card.action.trigger']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { title: string; definitions: Record<string, unknown> };
    expect(schema.title).toBe('P2CardActionTrigger');
    const refs = [...r.stdout.matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/definitions\//);
      expect(schema.definitions[ref.slice('#/definitions/'.length)], ref).toBeDefined();
    }
    const validate = new Ajv.default({ strict: false, allowUnionTypes: true }).compile(schema);
    expect(validate((schema as unknown as { examples: unknown[] }).examples[0])).toBe(true);
    expect(validate({ schema: '2.0', header: {}, event: {} })).toBe(false);
  });

  it('exits 2 for an unknown event type', () => {
    const r = run(['schema', 'no.such_v1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown event type "no.such_v1"');
  });
});

describe('lark-events --help', () => {
  it('documents every command', () => {
    for (const cmd of ['validate', 'list', 'schema', 'generate', 'import', 'serve', 'connect', 'emulate', 'trigger']) {
      const r = run([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`Usage: lark-events ${cmd}`);
    }
  });
});
