import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, tmpDir } from '../helpers.js';

// The shipped declarations carry `// @ts-nocheck` (scripts/build.mjs), so consumers do not re-check
// them. These tests are the check they skip: every shipped .d.ts, with the line removed, compiles
// under strict and exactOptionalPropertyTypes.
const NOCHECK = '// @ts-nocheck\n';
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const base = tmpDir('declarations');

function declarations(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.d.ts')).map((e) => path.join(e.parentPath, e.name));
}

const shipped = ['esm', 'cjs'].flatMap((format) => ['src', 'generated'].flatMap((d) => declarations(path.join(repo, 'dist', format, d))));

/** The package's esm declarations as plain .ts files (imports of './x.js' resolve to them), so that --skipLibCheck skips only third-party typings. */
function asSources(name: string, edit: (rel: string, text: string) => string = (_, t) => t): { dir: string; files: string[] } {
  const dir = path.join(base, name);
  const files: string[] = [];
  for (const file of shipped.filter((f) => f.includes(`${path.sep}esm${path.sep}`))) {
    const rel = path.relative(path.join(repo, 'dist', 'esm'), file).replace(/\.d\.ts$/, '.ts');
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, edit(rel, fs.readFileSync(file, 'utf8').replace(NOCHECK, '')));
    files.push(target);
  }
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
  return { dir, files };
}

function check({ dir, files }: { dir: string; files: string[] }): { code: number | null; out: string } {
  const args = ['--noEmit', '--strict', '--exactOptionalPropertyTypes', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(repo, 'node_modules', '@types'), ...files];
  const r = spawnSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('shipped declarations', () => {
  it('every shipped .d.ts starts with // @ts-nocheck, in dist/esm and dist/cjs', () => {
    expect(shipped.some((f) => f.endsWith(path.join('esm', 'src', 'index.d.ts')))).toBe(true);
    expect(shipped.some((f) => f.endsWith(path.join('cjs', 'src', 'index.d.ts')))).toBe(true);
    expect(shipped.filter((f) => !fs.readFileSync(f, 'utf8').startsWith(NOCHECK))).toEqual([]);
  });

  it('compile without it under strict and exactOptionalPropertyTypes; a broken declaration is reported with its file and line', () => {
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(base, 'node_modules'), 'dir');
    const good = check(asSources('good'));
    expect(good.out).toBe('');
    expect(good.code).toBe(0);
    const target = path.join('generated', 'im', 'types.ts');
    const bad = check(asSources('bad', (rel, text) => (rel === target ? text.replace(/^(export interface P2ImMessageReceiveV1 \{)$/m, '$1\n    broken: NoSuchType;') : text)));
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/generated\/im\/types\.ts\(\d+,\d+\): error TS\d+: Cannot find name 'NoSuchType'/);
  }, 120_000);
});
