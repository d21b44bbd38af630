import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, ratio, round } from './stats.js';

export interface ColdStart {
  /** The fastest of the runs: a start-up has a floor, and other work on the machine only adds to it. */
  oursMs: number;
  officialMs: number;
  ratio: number;
  /** The medians of the same runs, for scale. */
  oursMedianMs: number;
  officialMedianMs: number;
  runs: number;
}

/**
 * A fresh `node` process that imports the package and dispatches one event, timed from spawn to exit;
 * the same with the official SDK. Ours runs from the built dist/ (what consumers load).
 */
export function runColdStartBench(root: string, runs = 7): ColdStart {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lark-cold-'));
  const example = JSON.parse(fs.readFileSync(path.join(root, 'schemas/im/im.message.receive_v1.json'), 'utf8')).examples[0];
  const body = JSON.stringify(example);
  const ours = path.join(dir, 'ours.mjs');
  fs.writeFileSync(ours, `import { EventDispatcher } from ${JSON.stringify(path.join(root, 'dist/esm/src/index.js'))};
const d = new EventDispatcher().register_p2_im_message_receive_v1((e) => { globalThis.seen = e.event.message?.message_id; });
const r = await d.dispatch(${JSON.stringify(body)});
if (r.status !== 'handled' || !globalThis.seen) process.exit(1);
`);
  const official = path.join(dir, 'official.mjs');
  fs.writeFileSync(official, `import { createRequire } from 'node:module';
const lark = createRequire(${JSON.stringify(path.join(root, 'package.json'))})('@larksuiteoapi/node-sdk');
const d = new lark.EventDispatcher({ loggerLevel: lark.LoggerLevel.error }).register({ 'im.message.receive_v1': async (e) => { globalThis.seen = e.message.message_id; } });
await d.invoke(JSON.parse(${JSON.stringify(body)}));
if (!globalThis.seen) process.exit(1);
`);
  const time = (file: string): number => {
    const t = performance.now();
    execFileSync(process.execPath, [file], { stdio: 'ignore' });
    return performance.now() - t;
  };
  time(ours);
  time(official);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(time(ours));
    b.push(time(official));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const oursMs = round(Math.min(...a));
  const officialMs = round(Math.min(...b));
  return { oursMs, officialMs, ratio: ratio(oursMs, officialMs), oursMedianMs: round(median(a)), officialMedianMs: round(median(b)), runs };
}
