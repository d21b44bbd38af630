#!/usr/bin/env node
// The browser tests (test/browser/) drive Debian's chromium. Installs it when it is missing; does
// nothing when it is there. Installing needs root (CI runs as root); otherwise say what to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
// The catalog's descriptions are mostly Chinese: without a CJK font the screenshots show boxes.
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const packages = [...(fs.existsSync(CHROMIUM) ? [] : ['chromium']), ...(fs.existsSync(CJK_FONT) ? [] : ['fonts-noto-cjk'])];
if (packages.length) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    console.error(`ensure-chromium: missing ${packages.join(' ')}; install: sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.error(`ensure-chromium: installing ${packages.join(' ')} with apt-get`);
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!run(['update']) || !run(['install', '-y', '--no-install-recommends', ...packages]) || !fs.existsSync(CHROMIUM)) {
    console.error(`ensure-chromium: apt-get could not install ${packages.join(' ')}`);
    process.exit(1);
  }
}
