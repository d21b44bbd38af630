import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { example, repo, tmpDir } from '../helpers.js';

// Packs the package as npm would publish it and installs the tarball into consumer projects, which
// compile against it with strict tsc and run a dispatch: what other packages see, not our sources.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const root = tmpDir('consumers');
const SEED = 'application.application.app_version.publish_apply_v6';

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function compile(dir: string, project = 'tsconfig.json'): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(dir, project)], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

function project(name: string, pkg: Record<string, unknown>, tsconfig: Record<string, unknown> | undefined, files: Record<string, string>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, ...pkg }));
  if (tsconfig) fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, types: [], ...tsconfig }, include: Object.keys(files).filter((f) => !f.startsWith('bad')) }));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

const seedJson = JSON.stringify(example('application', SEED));

const TYPED_CONSUMER = (from: string) => `import type { P2ApplicationApplicationAppVersionPublishApplyV6 } from '${from}';
import { EventDispatcher, validate } from '${from}';

const seen: string[] = [];
const dispatcher = new EventDispatcher({ validation: 'reject' })
  .register_p2_application_application_app_version_publish_apply_v6((data: P2ApplicationApplicationAppVersionPublishApplyV6) => {
    const level: 0 | 1 | 2 | 3 | undefined = data.event.online_version?.scopes?.[0]?.level;
    seen.push(\`\${data.header.event_type} level=\${String(level)}\`);
  });

const body = ${seedJson};
const result = await dispatcher.dispatch(JSON.stringify(body));
const check = await validate(body, { strict: true });
console.log(JSON.stringify({ status: result.status, seen, valid: check.valid }));
`;

const MISSPELLED = (from: string) => `import type { P2ApplicationApplicationAppVersionPublishApplyV6 } from '${from}';
export function read(data: P2ApplicationApplicationAppVersionPublishApplyV6): unknown {
  return data.event.online_versoin;
}
`;

const expected = JSON.stringify({ status: 'handled', seen: [`${SEED} level=1`], valid: true });

let tarball = '';

beforeAll(() => {
  const packed = JSON.parse(sh(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', root], repo)) as Array<{ filename: string }>;
  tarball = path.join(root, packed[0]?.filename ?? '');
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'consumers', private: true }));
  sh(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball], root);
}, 240_000);

describe('the published package', () => {
  it('ships the built library, schemas and CLI, and no tests or sources', () => {
    const files = (JSON.parse(sh(npm, ['pack', '--ignore-scripts', '--dry-run', '--json'], repo)) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(expect.arrayContaining(['package.json', 'bin/lark-events.js', 'dist/esm/src/index.js', 'dist/esm/src/index.d.ts', 'dist/cjs/src/index.js', 'dist/esm/generated/catalog.js', 'schemas/common/user_id.json']));
    const docs = (f: string) => /^generated\/docs\/[^/]+\.md$/.test(f) || f === 'bench/results.json' || f === 'generated/asyncapi.json';
    const unwanted = files.filter((f) => (/^(test|codegen|bench|scripts|src|generated)\//.test(f) && !docs(f)) || /^dist\/(esm|cjs)\/(codegen|scripts)\//.test(f) || /\/checks\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
    expect(unwanted).toEqual([]);
  });

  it('ESM TypeScript consumer (nodenext) compiles strictly, reads a nested field and dispatches', () => {
    const dir = project('esm-nodenext', { type: 'module' }, { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out' }, {
      'index.ts': TYPED_CONSUMER('lark-event-catalog'),
      'bad.ts': MISSPELLED('lark-event-catalog'),
    });
    const ok = compile(dir);
    expect(ok.out).toBe('');
    expect(ok.code).toBe(0);
    expect(sh(process.execPath, ['out/index.js'], dir).trim()).toBe(expected);
  });

  it('a misspelled field fails to compile', () => {
    const dir = path.join(root, 'esm-nodenext');
    fs.writeFileSync(path.join(dir, 'tsconfig.bad.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, include: ['bad.ts'] }));
    const bad = compile(dir, 'tsconfig.bad.json');
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/Property 'online_versoin' does not exist on type 'P2ApplicationApplicationAppVersionPublishApplyV6Data'/);
  });

  it('bundler-resolution TypeScript consumer compiles and runs, including a domain subpath', () => {
    const sub = `import { EventDispatcher, validate } from 'lark-event-catalog/application';
import type { P2ApplicationApplicationAppVersionPublishApplyV6 } from 'lark-event-catalog/types';
const d = new EventDispatcher().register_p2_application_application_app_version_publish_apply_v6((e: P2ApplicationApplicationAppVersionPublishApplyV6) => { console.log(e.event.app_status); });
const r = validate(${seedJson});
await d.dispatch(${seedJson});
console.log(r.valid);
`;
    const dir = project('esm-bundler', { type: 'module' }, { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', outDir: 'out' }, {
      'index.ts': TYPED_CONSUMER('lark-event-catalog'),
      'sub.ts': sub,
    });
    const ok = compile(dir);
    expect(ok.out).toBe('');
    expect(sh(process.execPath, ['out/index.js'], dir).trim()).toBe(expected);
    expect(sh(process.execPath, ['out/sub.js'], dir).trim()).toBe('1\ntrue');
  });

  it('CommonJS consumers work: plain require, and TypeScript compiled to CommonJS', async () => {
    const plain = `const { EventDispatcher, validate, catalog } = require('lark-event-catalog');
const d = new EventDispatcher().register_p2_application_application_app_version_publish_apply_v6((e) => console.log('level', e.event.online_version.scopes[0].level));
d.dispatch(${seedJson}).then(async (r) => console.log(r.status, (await validate(${seedJson})).valid, catalog.length > 0));
`;
    const cts = `import { EventDispatcher } from 'lark-event-catalog';
import type { P2ApplicationApplicationAppVersionPublishApplyV6 } from 'lark-event-catalog';
const d = new EventDispatcher().register_p2_application_application_app_version_publish_apply_v6((e: P2ApplicationApplicationAppVersionPublishApplyV6) => { console.log(e.header.event_type); });
void d.dispatch(${seedJson});
`;
    const dir = project('cjs', { type: 'commonjs' }, { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out' }, { 'plain.cjs': plain, 'typed.cts': cts });
    expect(sh(process.execPath, ['plain.cjs'], dir).trim()).toBe('level 1\nhandled true true');
    const ok = compile(dir);
    expect(ok.out).toBe('');
    expect(sh(process.execPath, ['out/typed.cjs'], dir).trim()).toBe(SEED);
  });

  it('offers the receivers as subpath entries, to ESM and CommonJS alike', () => {
    const dir = path.join(root, 'cjs');
    const cjs = `const w = require('lark-event-catalog/webhook'); const s = require('lark-event-catalog/ws'); const e = require('lark-event-catalog/emulator');
console.log(typeof w.createWebhookHandler, typeof w.createExpressMiddleware, typeof s.WSClient, typeof e.startEmulator);`;
    fs.writeFileSync(path.join(dir, 'subpaths.cjs'), cjs);
    expect(sh(process.execPath, ['subpaths.cjs'], dir).trim()).toBe('function function function function');
    const esm = `import { createWebHandler } from 'lark-event-catalog/webhook'; import { WSClient } from 'lark-event-catalog/ws';
console.log(typeof createWebHandler, typeof WSClient);`;
    fs.writeFileSync(path.join(root, 'esm-nodenext', 'subpaths.mjs'), esm);
    expect(sh(process.execPath, ['subpaths.mjs'], path.join(root, 'esm-nodenext')).trim()).toBe('function function');
  });

  it('installs the lark-events binary', () => {
    const out = sh(process.execPath, [path.join(root, 'node_modules', 'lark-event-catalog', 'bin', 'lark-events.js'), 'list', '--json'], root);
    expect((JSON.parse(out) as unknown[]).length).toBeGreaterThan(0);
  });
});
