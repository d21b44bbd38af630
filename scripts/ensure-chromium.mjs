#!/usr/bin/env node
// The browser tests (test/browser/) drive Debian's chromium. Installs it when it is missing; does
// nothing when it is there. Installing needs root (CI runs as root); otherwise say what to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    console.error(`ensure-chromium: ${CHROMIUM} is missing; install it: sudo apt-get update && sudo apt-get install -y chromium`);
    process.exit(1);
  }
  console.error(`ensure-chromium: ${CHROMIUM} is missing; installing it with apt-get`);
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!run(['update']) || !run(['install', '-y', '--no-install-recommends', 'chromium']) || !fs.existsSync(CHROMIUM)) {
    console.error('ensure-chromium: apt-get could not install chromium');
    process.exit(1);
  }
}
