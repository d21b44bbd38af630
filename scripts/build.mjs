#!/usr/bin/env node
// Builds dist/esm (tsc: JavaScript + declarations) and dist/cjs (esbuild, file by file) from src/,
// generated/ and codegen/. Precompiled validators (generated/**/validators.js) are copied as they are.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const esm = path.join(dist, 'esm');
const cjs = path.join(dist, 'cjs');
const stamp = path.join(dist, '.build-stamp');

function files(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) files(full, out);
    else out.push(full);
  }
  return out;
}

const sources = ['src', 'generated', 'codegen', 'scripts'].flatMap((d) => files(path.join(root, d)));
const newest = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs), fs.statSync(path.join(root, 'package.json')).mtimeMs);
if (process.argv.includes('--if-stale') && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= newest) process.exit(0);

fs.rmSync(dist, { recursive: true, force: true });
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
} catch {
  console.error('build: tsc failed (see above)');
  process.exit(1);
}

for (const file of files(path.join(root, 'generated'))) {
  if (!/validators\.(js|d\.ts)$/.test(file)) continue;
  const target = path.join(esm, path.relative(root, file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
}

// Every shipped declaration starts with `// @ts-nocheck`: tsc checked these files when it wrote them
// (above), so a consumer's compiler need not check them again on every build; it still reads them
// and checks the consumer's own code against them. This is what --skipLibCheck does, for this package
// alone, and it is most of the package's type-check cost (bench/typecheck.ts). test/package checks
// the shipped declarations with the line removed, under strict and exactOptionalPropertyTypes.
const NOCHECK = '// @ts-nocheck\n';
for (const file of files(esm)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = fs.readFileSync(file, 'utf8');
  if (!text.startsWith(NOCHECK)) fs.writeFileSync(file, NOCHECK + text);
}

// CommonJS (the library only: src/ and generated/): the same files transformed one by one, with
// import.meta.url mapped to the file's URL.
for (const file of [...files(path.join(esm, 'src')), ...files(path.join(esm, 'generated'))]) {
  if (file.includes(`${path.sep}checks${path.sep}`)) continue;
  const rel = path.relative(esm, file);
  const target = path.join(cjs, rel);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (file.endsWith('.d.ts')) {
    fs.copyFileSync(file, target);
    continue;
  }
  if (!file.endsWith('.js')) continue;
  const code = fs.readFileSync(file, 'utf8').replace(/^#!.*\n/, '');
  const usesMeta = code.includes('import.meta');
  const out = transformSync(code, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    define: usesMeta ? { 'import.meta.url': '__lark_import_meta_url' } : {},
    banner: usesMeta ? 'const __lark_import_meta_url = require("node:url").pathToFileURL(__filename).href;' : '',
  });
  fs.writeFileSync(target, out.code);
}
fs.writeFileSync(path.join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
fs.writeFileSync(stamp, new Date().toISOString() + '\n');
console.error(`build: dist/esm and dist/cjs written`);
