import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repo } from '../helpers.js';

const bin = path.join(repo, 'bin', 'lark-events.js');

/** Runs the built `lark-events` binary. */
export function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
