/**
 * Long-connection benchmark: our WSClient vs the official SDK's WSClient against the same emulator,
 * over loopback. Throughput (events/s with a window of concurrent deliveries) and latency from the
 * emulator sending a data frame to receiving its answer (one delivery at a time, and under load).
 *
 *   npx tsx bench/ws.ts [--events N] [--rounds R] [--concurrency C]
 */
import { pathToFileURL } from 'node:url';
import * as lark from '@larksuiteoapi/node-sdk';
import { startEmulator } from '../src/emulator/index.js';
import type { Emulator } from '../src/emulator/index.js';
import { EventDispatcher, silentLogger } from '../src/index.js';
import { WSClient } from '../src/transport/ws/index.js';
import { percentile } from './stats.js';

export interface WsBenchOptions {
  /** Events per round in the throughput phase (default 5 000). */
  events?: number;
  /** Events per round in the one-at-a-time latency phase (default events / 5). */
  latencyEvents?: number;
  /** Deliveries in flight during the throughput phase (default 64). */
  concurrency?: number;
  /** Rounds per implementation; results are medians (default 5). */
  rounds?: number;
  /** Events before each measured round (default 1 000). */
  warmup?: number;
  /** Log progress to stderr. */
  verbose?: boolean;
}

export interface WsBenchResult {
  name: string;
  eventsPerSec: number;
  /**
   * Process CPU time per event in the throughput phase, µs (emulator and client share the
   * process, so the emulator's part is in both sides). Less sensitive than events/s to other
   * processes taking the cores.
   */
  cpuUsPerEvent: number;
  /** One delivery at a time: send → answer, ms. */
  p50Ms: number;
  p99Ms: number;
  /** During the throughput phase. */
  loadedP50Ms: number;
  loadedP99Ms: number;
}

export interface WsBenchReport {
  options: Required<Omit<WsBenchOptions, 'verbose'>>;
  results: WsBenchResult[];
  /** ours ÷ official: > 1 means ours is faster (events/s) or slower (latency); cpuPerEvent is official ÷ ours (> 1: ours uses less). */
  ratios: { eventsPerSec: number; p50: number; p99: number; cpuPerEvent: number };
}

interface Subject {
  name: string;
  connect(emu: Emulator): Promise<() => Promise<void>>;
}

const APP_ID = 'cli_a1b2c3d4e5f60718';
const APP_SECRET = 'bench-secret';
const EVENT = 'im.message.receive_v1';
const quiet = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

const median = (xs: number[]) => percentile(xs, 50);

async function waitReady(emu: Emulator, connected: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (emu.connections().filter((c) => c.ready).length !== connected) {
    if (Date.now() > deadline) throw new Error('bench: client did not connect');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function ours(validation: 'off' | 'warn'): Subject {
  return {
    name: validation === 'off' ? 'ours' : 'ours+validation',
    async connect(emu) {
      const dispatcher = new EventDispatcher({ validation, logger: silentLogger }).register_p2_im_message_receive_v1(() => undefined);
      const client = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: emu.url, dispatcher, logger: silentLogger, maxConcurrency: 256 });
      await client.start();
      await waitReady(emu, 1);
      return () => client.close();
    },
  };
}

const official: Subject = {
  name: 'official',
  async connect(emu) {
    const dispatcher = new lark.EventDispatcher({ logger: quiet, loggerLevel: lark.LoggerLevel.fatal }).register({ [EVENT]: async () => undefined });
    const client = new lark.WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: emu.url, logger: quiet, loggerLevel: lark.LoggerLevel.fatal });
    await client.start({ eventDispatcher: dispatcher });
    await waitReady(emu, 1);
    return async () => {
      client.close({ force: true });
      const deadline = Date.now() + 5_000;
      while (emu.connections().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };
  },
};

async function deliver(emu: Emulator, count: number, concurrency: number): Promise<{ elapsedMs: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        const answer = await emu.trigger(EVENT, { retries: 0 });
        if (answer.code !== 200) throw new Error(`bench: delivery failed: ${answer.error ?? answer.code}`);
        latencies.push(answer.latency_ms);
      }
    }),
  );
  return { elapsedMs: performance.now() - t0, latencies };
}

export async function runWsBench(options: WsBenchOptions = {}): Promise<WsBenchReport> {
  const opts = {
    events: options.events ?? 5_000,
    latencyEvents: options.latencyEvents ?? Math.max(100, Math.floor((options.events ?? 5_000) / 5)),
    concurrency: options.concurrency ?? 64,
    rounds: options.rounds ?? 5,
    warmup: options.warmup ?? 1_000,
  };
  const log = (m: string) => options.verbose && process.stderr.write(`${m}\n`);
  const emu = await startEmulator({ appId: APP_ID, appSecret: APP_SECRET, pingIntervalS: 30, answerTimeoutMs: 10_000, redeliveryScheduleMs: [] });
  const subjects = [ours('off'), ours('warn'), official];
  const samples = new Map<string, { rate: number[]; cpu: number[]; p50: number[]; p99: number[]; lp50: number[]; lp99: number[] }>();
  try {
    for (let round = 0; round < opts.rounds; round++) {
      // Rotate the order so that no subject always runs first (cold) or last.
      const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
      for (const subject of order) {
        const disconnect = await subject.connect(emu);
        try {
          await deliver(emu, opts.warmup, opts.concurrency);
          const cpu0 = process.cpuUsage();
          const load = await deliver(emu, opts.events, opts.concurrency);
          const cpu = process.cpuUsage(cpu0);
          const single = await deliver(emu, opts.latencyEvents, 1);
          const s = samples.get(subject.name) ?? { rate: [], cpu: [], p50: [], p99: [], lp50: [], lp99: [] };
          s.rate.push((opts.events / load.elapsedMs) * 1000);
          s.cpu.push((cpu.user + cpu.system) / opts.events);
          s.lp50.push(percentile(load.latencies, 50));
          s.lp99.push(percentile(load.latencies, 99));
          s.p50.push(percentile(single.latencies, 50));
          s.p99.push(percentile(single.latencies, 99));
          samples.set(subject.name, s);
          log(`round ${round + 1} ${subject.name}: ${Math.round(s.rate.at(-1)!)} events/s, p50 ${s.p50.at(-1)!.toFixed(3)} ms, p99 ${s.p99.at(-1)!.toFixed(3)} ms`);
        } finally {
          await disconnect();
        }
      }
    }
  } finally {
    await emu.close();
  }
  const results: WsBenchResult[] = subjects.map((subject) => {
    const s = samples.get(subject.name)!;
    return { name: subject.name, eventsPerSec: Math.round(median(s.rate)), cpuUsPerEvent: Math.round(median(s.cpu) * 10) / 10, p50Ms: median(s.p50), p99Ms: median(s.p99), loadedP50Ms: median(s.lp50), loadedP99Ms: median(s.lp99) };
  });
  // Ratios are medians of the ratios within a round (ours and official measured back to back),
  // so that load from other processes, which comes and goes, hits both sides of a ratio alike.
  const a = samples.get(subjects[0]!.name)!;
  const b = samples.get(official.name)!;
  const perRound = (x: number[], y: number[]) => median(x.map((v, i) => v / y[i]!));
  return { options: opts, results, ratios: { eventsPerSec: perRound(a.rate, b.rate), p50: perRound(a.p50, b.p50), p99: perRound(a.p99, b.p99), cpuPerEvent: perRound(b.cpu, a.cpu) } };
}

function formatReport(report: WsBenchReport): string {
  const { options: o, results, ratios } = report;
  const lines = [
    `long connection over loopback: ${o.events} events/round at concurrency ${o.concurrency}, ${o.latencyEvents} one at a time, ${o.rounds} rounds (medians), ${o.warmup} warm-up`,
    `${'client'.padEnd(16)} ${'events/s'.padStart(9)} ${'CPU µs/ev'.padStart(10)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'loaded p50'.padStart(11)} ${'loaded p99'.padStart(11)}`,
    ...results.map((r) => `${r.name.padEnd(16)} ${String(r.eventsPerSec).padStart(9)} ${r.cpuUsPerEvent.toFixed(1).padStart(10)} ${r.p50Ms.toFixed(3).padStart(8)} ${r.p99Ms.toFixed(3).padStart(8)} ${r.loadedP50Ms.toFixed(2).padStart(11)} ${r.loadedP99Ms.toFixed(2).padStart(11)}`),
    `ours / official: events/s ×${ratios.eventsPerSec.toFixed(2)}, p50 ×${ratios.p50.toFixed(2)}, p99 ×${ratios.p99.toFixed(2)}; CPU per event official/ours ×${ratios.cpuPerEvent.toFixed(2)}`,
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const opts: WsBenchOptions = { verbose: true };
  const events = arg('events');
  const rounds = arg('rounds');
  const concurrency = arg('concurrency');
  if (events) opts.events = events;
  if (rounds) opts.rounds = rounds;
  if (concurrency) opts.concurrency = concurrency;
  runWsBench(opts).then(
    (report) => process.stdout.write(`${formatReport(report)}\n`),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
