import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repo } from '../helpers.js';
import { run as runSync } from './helpers.js';

const run = promisify(execFile);
const bin = path.join(repo, 'bin', 'lark-events.js');

describe('lark-events --version', () => {
  it('prints the version of package.json (also as -V) and exits 0', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const { stdout } = await run(process.execPath, [bin, flag], { cwd: repo });
      expect(stdout).toBe(`${version}\n`);
    }
  });
});

describe('lark-events --help', () => {
  it('documents every command', () => {
    for (const cmd of ['validate', 'list', 'schema', 'generate', 'import', 'serve', 'connect', 'emulate', 'trigger']) {
      const r = runSync([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`Usage: lark-events ${cmd}`);
    }
  });
});
