import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCatalog } from '../codegen/catalog.js';
import { ratio, round } from './stats.js';

export interface TypecheckCase {
  name: string;
  skipLibCheck: boolean;
  /** CPU time (user + system) of the type-check itself: creating the program and its diagnostics, TypeScript already loaded. */
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
  /** The same counts above the empty consumer's (its lib check of @types/node is most of the totals). */
  netTypes: number;
  netInstantiations: number;
  /** With --skipLibCheck: only what the consumer's own code makes TypeScript build. */
  skipLibCheck: { types: number; instantiations: number };
  /** Where TypeScript gives up: a union of more members is "too complex to represent" (TS2590); more instantiations in one expression are "excessively deep" (TS2589). */
  limits: { unionMembers: number; instantiations: number };
}

/**
 * What one consumer makes the compiler build, above the empty consumer, from `tsc --extendedDiagnostics`
 * (no skipLibCheck): counts, not times, so the figure is the same on a busy machine as on an idle one.
 */
export interface CompilerWork {
  name: string;
  files: number;
  identifiers: number;
  symbols: number;
  types: number;
  memoryKB: number;
}

export interface TypecheckResult {
  /** Minimum CPU time of the runs per case (runs interleaved across the cases; load only adds time). */
  cases: TypecheckCase[];
  runs: number;
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
  /** Compiler work above the empty consumer (counts), and ours / official of its symbols: the im subpath and the root entry. */
  work: CompilerWork[];
  workRatio: number;
  workRatioRoot: number;
  allEvents: UnionDiagnostics;
}

const CONSUMER = (from: string) => `import { EventDispatcher, parseMessageContent } from '${from}';
export const d = new EventDispatcher().register_p2_im_message_receive_v1((e) => {
  const p = parseMessageContent(e.event.message);
  if (p.message_type === 'text') console.log(p.content.text, e.event.sender.sender_id.open_id);
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
 * Measures one type-check inside a fresh Node process: the CPU time (user + system, all threads) of
 * `createProgram` + `getPreEmitDiagnostics` — what `tsc --noEmit` does — after TypeScript itself is
 * loaded, so that Node's start-up and the compiler's own loading (the same for every case, and noisy
 * on a busy machine) are not in it. Fails when the consumer does not compile.
 */
const MEASURE = (typescript: string) => `const ts = require(${JSON.stringify(typescript)});
const cmd = ts.parseCommandLine(process.argv.slice(2));
const host = ts.createCompilerHost(cmd.options);
host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors; // as tsc sets it
const before = process.cpuUsage();
const program = ts.createProgram({ rootNames: cmd.fileNames, options: cmd.options, host });
const diagnostics = ts.getPreEmitDiagnostics(program);
const used = process.cpuUsage(before);
if (diagnostics.length > 0) { process.stderr.write(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\\n' })); process.exit(1); }
process.stdout.write(String((used.user + used.system) / 1000));
`;

const stat = (out: string, label: string) => Number(new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(out)?.[1] ?? NaN);
const memoryKB = (out: string) => Number(/^Memory used:\s+(\d+)K/m.exec(out)?.[1] ?? NaN);

function diagnostics(out: string, empty: string, skipped: string, events: number): UnionDiagnostics {
  const num = (label: string) => stat(out, label);
  return {
    events,
    types: num('Types'),
    instantiations: num('Instantiations'),
    memoryKB: memoryKB(out),
    checkMs: round(num('Check time') * 1000, 0),
    netTypes: num('Types') - stat(empty, 'Types'),
    netInstantiations: num('Instantiations') - stat(empty, 'Instantiations'),
    skipLibCheck: { types: stat(skipped, 'Types'), instantiations: stat(skipped, 'Instantiations') },
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
  fs.writeFileSync(path.join(dir, 'measure.cjs'), MEASURE(path.join(root, 'node_modules', 'typescript', 'lib', 'typescript.js')));
  const options = (skipLibCheck: boolean) => ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), ...(skipLibCheck ? ['--skipLibCheck'] : [])];
  const args = (file: string, skipLibCheck: boolean, extra: string[] = []) => [tsc, ...options(skipLibCheck), ...extra, file];
  const measure = (file: string, skipLibCheck: boolean) => Number(execFileSync(process.execPath, ['measure.cjs', ...options(skipLibCheck), file], { cwd: dir, encoding: 'utf8', stdio: 'pipe' }));
  for (const [name, source] of Object.entries(sources)) fs.writeFileSync(path.join(dir, `${name}.ts`), source);
  // Rounds interleave the cases, so that a change of the machine's load falls on all of them alike;
  // each case keeps its minimum: other work on the machine only ever adds CPU time.
  const samples = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    for (const name of Object.keys(sources)) {
      for (const skipLibCheck of [false, true]) {
        const key = `${name}\0${skipLibCheck}`;
        samples.set(key, [...(samples.get(key) ?? []), measure(`${name}.ts`, skipLibCheck)]);
      }
    }
  }
  const cases: TypecheckCase[] = Object.keys(sources).flatMap((name) => [false, true].map((skipLibCheck) => ({ name, skipLibCheck, ms: round(Math.min(...(samples.get(`${name}\0${skipLibCheck}`) ?? [])), 0) })));

  fs.writeFileSync(path.join(dir, 'all-events.ts'), ALL_EVENTS);
  const extended = (file: string, skipLibCheck = false) => execFileSync(process.execPath, args(file, skipLibCheck, ['--extendedDiagnostics']), { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  const out = extended('all-events.ts');
  const skipped = extended('all-events.ts', true);
  const empty = extended('empty.ts');
  const work = ['ours-subpath', 'ours-root', 'official'].map((name): CompilerWork => {
    const d = extended(`${name}.ts`);
    const above = (label: string) => stat(d, label) - stat(empty, label);
    return { name, files: above('Files'), identifiers: above('Identifiers'), symbols: above('Symbols'), types: above('Types'), memoryKB: memoryKB(d) - memoryKB(empty) };
  });
  const events = readCatalog(path.join(root, 'schemas', 'catalog.tsv')).length;
  fs.rmSync(dir, { recursive: true, force: true });
  const symbols = (name: string) => work.find((w) => w.name === name)?.symbols ?? NaN;
  const ms = (name: string, skip: boolean) => cases.find((c) => c.name === name && c.skipLibCheck === skip)?.ms ?? NaN;
  const net = (name: string, skip: boolean) => ratio(Math.max(0, ms(name, skip) - ms('empty', skip)), ms('official', skip) - ms('empty', skip));
  return {
    cases,
    runs,
    ratio: ratio(ms('ours-subpath', false), ms('official', false)),
    ratioSkipLibCheck: ratio(ms('ours-subpath', true), ms('official', true)),
    ratioRoot: ratio(ms('ours-root', false), ms('official', false)),
    ratioRootSkipLibCheck: ratio(ms('ours-root', true), ms('official', true)),
    netRatio: net('ours-subpath', false),
    netRatioSkipLibCheck: net('ours-subpath', true),
    netRatioRoot: net('ours-root', false),
    netRatioRootSkipLibCheck: net('ours-root', true),
    work,
    workRatio: round(symbols('ours-subpath') / symbols('official'), 3),
    workRatioRoot: round(symbols('ours-root') / symbols('official'), 3),
    allEvents: diagnostics(out, empty, skipped, events),
  };
}

/** The figures as lines of a Markdown table (| comparison | ours | official | ratio |), as bench/run.ts prints them. */
export function typecheckRows(t: TypecheckResult): string[][] {
  const ms = (name: string, skip: boolean) => t.cases.find((c) => c.name === name && c.skipLibCheck === skip)?.ms ?? NaN;
  const net = (name: string, skip: boolean) => Math.max(0, ms(name, skip) - ms('empty', skip));
  const w = (name: string) => t.work.find((x) => x.name === name);
  const parts = (x: CompilerWork | undefined) => (x ? `${x.symbols} symbols (${x.files} files, ${x.identifiers} identifiers, ${x.types} types, ${Math.round(x.memoryKB / 1024)} MB)` : '');
  const u = t.allEvents;
  const rows: Array<Array<string | number>> = [
    [`consumer tsc --noEmit, domain subpath (ms, min of ${t.runs})`, ms('ours-subpath', false), ms('official', false), `${t.ratio}×`],
    ['consumer tsc --noEmit --skipLibCheck, domain subpath (ms)', ms('ours-subpath', true), ms('official', true), `${t.ratioSkipLibCheck}×`],
    ['consumer tsc --noEmit, root entry (ms)', ms('ours-root', false), ms('official', false), `${t.ratioRoot}×`],
    ['consumer tsc --noEmit --skipLibCheck, root entry (ms)', ms('ours-root', true), ms('official', true), `${t.ratioRootSkipLibCheck}×`],
    ['empty file tsc --noEmit (ms, for scale; --skipLibCheck)', `${ms('empty', false)} (${ms('empty', true)})`, '', ''],
    ['consumer type-check cost above an empty file, subpath (net)', net('ours-subpath', false), net('official', false), `${t.netRatio}×`],
    ['… with --skipLibCheck (net)', net('ours-subpath', true), net('official', true), `${t.netRatioSkipLibCheck}×`],
    ['consumer type-check cost above an empty file, root entry (net)', net('ours-root', false), net('official', false), `${t.netRatioRoot}×`],
    ['… root entry with --skipLibCheck (net)', net('ours-root', true), net('official', true), `${t.netRatioRootSkipLibCheck}×`],
    ['compiler work above an empty file (--extendedDiagnostics counts; ratio of symbols), subpath', parts(w('ours-subpath')), parts(w('official')), `${t.workRatio}×`],
    ['… compiler work above an empty file, root entry', parts(w('ours-root')), '', `${t.workRatioRoot}×`],
    [`union of all ${u.events} events, tsc --extendedDiagnostics: types / instantiations / memory (KB) / check (ms)`, `${u.types} / ${u.instantiations} / ${u.memoryKB} / ${u.checkMs}`, '', `limits: ${u.limits.unionMembers} union members, ${u.limits.instantiations} instantiations`],
    ['… above the empty file: types / instantiations (with --skipLibCheck: the consumer\'s own)', `${u.netTypes} / ${u.netInstantiations} (${u.skipLibCheck.types} / ${u.skipLibCheck.instantiations})`, '', `${u.events} union members`],
  ];
  return rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US', { maximumFractionDigits: 2 }) : c)));
}

// `npx tsx bench/typecheck.ts [--quick] [--json]`: this piece alone (needs a build: npm run build).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const result = runTypecheckBench(root, process.argv.includes('--quick') ? 2 : 5);
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(['| comparison | ours | official | ratio (ours/official) |', '| --- | ---: | ---: | ---: |', ...typecheckRows(result).map((r) => `| ${r.join(' | ')} |`)].join('\n'));
}
