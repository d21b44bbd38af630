import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, ratio, round } from './stats.js';

export interface TypecheckCase {
  name: string;
  skipLibCheck: boolean;
  ms: number;
}

export interface TypecheckResult {
  cases: TypecheckCase[];
  /** ours (domain subpath) / official, without and with skipLibCheck. */
  ratio: number;
  ratioSkipLibCheck: number;
  /** ours (root entry) / official. */
  ratioRoot: number;
  ratioRootSkipLibCheck: number;
  /** What the package itself adds over an empty file (the same compiler set-up), ours / official. */
  netRatio: number;
  netRatioSkipLibCheck: number;
}

/**
 * The same small consumer (a Node app: @types/node present, as the official SDK's declarations need it) — one event type, one registered handler — compiled with strict
 * `tsc --noEmit`, against our built declarations and against the official SDK's.
 */
export function runTypecheckBench(root: string, runs = 3): TypecheckResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lark-tsc-'));
  fs.mkdirSync(path.join(dir, 'node_modules', '@larksuiteoapi'), { recursive: true });
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'lark-event-catalog'));
  fs.symlinkSync(path.join(root, 'node_modules', '@larksuiteoapi', 'node-sdk'), path.join(dir, 'node_modules', '@larksuiteoapi', 'node-sdk'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
  const sources: Record<string, string> = {
    'ours-subpath': `import { EventDispatcher } from 'lark-event-catalog/im';
export const d = new EventDispatcher().register_p2_im_message_receive_v1((e) => { void e.event.message?.message_id; });`,
    'ours-root': `import { EventDispatcher } from 'lark-event-catalog';
export const d = new EventDispatcher().register_p2_im_message_receive_v1((e) => { void e.event.message?.message_id; });`,
    official: `import { EventDispatcher } from '@larksuiteoapi/node-sdk';
export const d = new EventDispatcher({}).register({ 'im.message.receive_v1': async (e) => { console.log(e.message.message_id); } });`,
    empty: 'export const x = 1;',
  };
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const cases: TypecheckCase[] = [];
  for (const [name, source] of Object.entries(sources)) {
    fs.writeFileSync(path.join(dir, `${name}.ts`), source);
    for (const skipLibCheck of [false, true]) {
      const args = [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), ...(skipLibCheck ? ['--skipLibCheck'] : []), `${name}.ts`];
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        execFileSync(process.execPath, args, { cwd: dir, stdio: 'pipe' });
        samples.push(performance.now() - t);
      }
      cases.push({ name, skipLibCheck, ms: round(median(samples), 0) });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const ms = (name: string, skip: boolean) => cases.find((c) => c.name === name && c.skipLibCheck === skip)?.ms ?? NaN;
  return {
    cases,
    ratio: ratio(ms('ours-subpath', false), ms('official', false)),
    ratioSkipLibCheck: ratio(ms('ours-subpath', true), ms('official', true)),
    ratioRoot: ratio(ms('ours-root', false), ms('official', false)),
    ratioRootSkipLibCheck: ratio(ms('ours-root', true), ms('official', true)),
    netRatio: ratio(Math.max(0, ms('ours-subpath', false) - ms('empty', false)), ms('official', false) - ms('empty', false)),
    netRatioSkipLibCheck: ratio(Math.max(0, ms('ours-subpath', true) - ms('empty', true)), ms('official', true) - ms('empty', true)),
  };
}
