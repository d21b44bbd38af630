import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCatalog } from '../codegen/catalog.js';
import { median, ratio, round } from './stats.js';

export interface TypecheckCase {
  name: string;
  skipLibCheck: boolean;
  /** tsc's CPU time (user + system) where the platform reports it (Linux), else wall-clock time. */
  ms: number;
}

/** tsc --extendedDiagnostics of the consumer that uses the union of every event. */
export interface UnionDiagnostics {
  /** Members of LarkEvent (every catalogued payload). */
  events: number;
  types: number;
  instantiations: number;
  memoryKB: number;
  checkMs: number;
  /** Where TypeScript gives up: a union of more members is "too complex to represent" (TS2590); more instantiations in one expression are "excessively deep" (TS2589). */
  limits: { unionMembers: number; instantiations: number };
}

export interface TypecheckResult {
  cases: TypecheckCase[];
  /** ours (domain subpath) / official, without and with skipLibCheck. */
  ratio: number;
  ratioSkipLibCheck: number;
  /** ours (root entry) / official. */
  ratioRoot: number;
  ratioRootSkipLibCheck: number;
  /** What the package itself adds over an empty file (the same compiler set-up), ours / official: the im subpath, and the root entry. */
  netRatio: number;
  netRatioSkipLibCheck: number;
  netRatioRoot: number;
  netRatioRootSkipLibCheck: number;
  allEvents: UnionDiagnostics;
}

const CONSUMER = (from: string) => `import { EventDispatcher, parseMessageContent } from '${from}';
export const d = new EventDispatcher().register_p2_im_message_receive_v1((e) => {
  const m = e.event.message;
  if (!m?.message_type || m.content === undefined) return;
  const p = parseMessageContent({ message_type: m.message_type, content: m.content });
  if (p.message_type === 'text') console.log(p.content.text);
});`;

// Every event at once: the union, its event_type literals, a handler map over all of them, and narrowing.
const ALL_EVENTS = `import type { EventTypeMap, LarkEvent } from 'lark-event-catalog';
import { isEventType } from 'lark-event-catalog';
export type Handlers = { [K in keyof EventTypeMap]?: (e: EventTypeMap[K]) => unknown };
export function typeOf(e: LarkEvent): string {
  if ('header' in e) {
    switch (e.header.event_type) {
      case 'im.message.receive_v1': return e.header.event_type;
      default: break;
    }
  }
  if (isEventType(e, 'im.message.receive_v1')) return e.event.message?.message_id ?? '';
  return 'header' in e ? e.header.event_type : e.event.type;
}
export function run<K extends keyof EventTypeMap>(handlers: Handlers, type: K, e: EventTypeMap[K]): unknown {
  return handlers[type]?.(e);
}`;

/**
 * CPU milliseconds of the finished child processes so far (Linux: /proc/self/stat cutime + cstime),
 * so that the comparison holds on a machine busy with other work; wall-clock time elsewhere.
 */
function childCpuMs(): number | undefined {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function timed(run: () => void): number {
  const cpu = childCpuMs();
  const t = performance.now();
  run();
  const after = childCpuMs();
  return cpu !== undefined && after !== undefined ? after - cpu : performance.now() - t;
}

function diagnostics(out: string, events: number): UnionDiagnostics {
  const num = (label: string) => Number(new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(out)?.[1] ?? NaN);
  return {
    events,
    types: num('Types'),
    instantiations: num('Instantiations'),
    memoryKB: Number(/^Memory used:\s+(\d+)K/m.exec(out)?.[1] ?? NaN),
    checkMs: round(num('Check time') * 1000, 0),
    // typescript/lib/typescript.js: "size >= 1e5" (checkCrossProductUnion / removeSubtypes) and "instantiationCount >= 5e6".
    limits: { unionMembers: 100_000, instantiations: 5_000_000 },
  };
}

/**
 * The same small consumer (a Node app: @types/node present, as the official SDK's declarations need it) — one event type, one registered handler — compiled with strict
 * `tsc --noEmit`, against our built declarations and against the official SDK's; and a consumer of
 * the union of every event under `--extendedDiagnostics`.
 */
export function runTypecheckBench(root: string, runs = 3): TypecheckResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lark-tsc-'));
  fs.mkdirSync(path.join(dir, 'node_modules', '@larksuiteoapi'), { recursive: true });
  fs.symlinkSync(root, path.join(dir, 'node_modules', 'lark-event-catalog'));
  fs.symlinkSync(path.join(root, 'node_modules', '@larksuiteoapi', 'node-sdk'), path.join(dir, 'node_modules', '@larksuiteoapi', 'node-sdk'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
  const sources: Record<string, string> = {
    'ours-subpath': CONSUMER('lark-event-catalog/im'),
    'ours-root': CONSUMER('lark-event-catalog'),
    official: `import { EventDispatcher } from '@larksuiteoapi/node-sdk';
export const d = new EventDispatcher({}).register({ 'im.message.receive_v1': async (e) => { console.log(e.message.message_id); } });`,
    empty: 'export const x = 1;',
  };
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = (file: string, skipLibCheck: boolean, extra: string[] = []) => [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), ...(skipLibCheck ? ['--skipLibCheck'] : []), ...extra, file];
  const cases: TypecheckCase[] = [];
  for (const [name, source] of Object.entries(sources)) {
    fs.writeFileSync(path.join(dir, `${name}.ts`), source);
    for (const skipLibCheck of [false, true]) {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        samples.push(timed(() => execFileSync(process.execPath, args(`${name}.ts`, skipLibCheck), { cwd: dir, stdio: 'pipe' })));
      }
      cases.push({ name, skipLibCheck, ms: round(median(samples), 0) });
    }
  }
  fs.writeFileSync(path.join(dir, 'all-events.ts'), ALL_EVENTS);
  const out = execFileSync(process.execPath, args('all-events.ts', false, ['--extendedDiagnostics']), { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  const events = readCatalog(path.join(root, 'schemas', 'catalog.tsv')).length;
  fs.rmSync(dir, { recursive: true, force: true });
  const ms = (name: string, skip: boolean) => cases.find((c) => c.name === name && c.skipLibCheck === skip)?.ms ?? NaN;
  const net = (name: string, skip: boolean) => ratio(Math.max(0, ms(name, skip) - ms('empty', skip)), ms('official', skip) - ms('empty', skip));
  return {
    cases,
    ratio: ratio(ms('ours-subpath', false), ms('official', false)),
    ratioSkipLibCheck: ratio(ms('ours-subpath', true), ms('official', true)),
    ratioRoot: ratio(ms('ours-root', false), ms('official', false)),
    ratioRootSkipLibCheck: ratio(ms('ours-root', true), ms('official', true)),
    netRatio: net('ours-subpath', false),
    netRatioSkipLibCheck: net('ours-subpath', true),
    netRatioRoot: net('ours-root', false),
    netRatioRootSkipLibCheck: net('ours-root', true),
    allEvents: diagnostics(out, events),
  };
}

// `npx tsx bench/typecheck.ts [--quick]`: this piece alone (needs a build: npm run build).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  console.log(JSON.stringify(runTypecheckBench(root, process.argv.includes('--quick') ? 1 : 3), null, 2));
}
