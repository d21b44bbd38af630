#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/esm/src/cli/main.js', import.meta.url);
const build = new URL('../scripts/build.mjs', import.meta.url);
// The published package ships dist/. A checkout has no install-time build (npm ci runs no script
// of ours), so the first run there builds dist/ once.
if (!fs.existsSync(entry) && fs.existsSync(build)) {
  process.stderr.write('lark-events: no dist/ in this checkout yet: building it once (npm run build)…\n');
  try {
    execFileSync(process.execPath, [fileURLToPath(build)], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    process.exit(1);
  }
}
const { main } = await import(entry.href);
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
