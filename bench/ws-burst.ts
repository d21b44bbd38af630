/**
 * The campaign's burst (issue 12) without the inbox: 1,500 events at once over the long
 * connection, 50 ms handlers, 4 at a time, the platform's 3 s answer deadline and a redelivery
 * ladder. Reports the client's queue peak, the platform's redeliveries, and how often each
 * handler ran.
 *
 *   npx tsx bench/ws-burst.ts [--events N] [--schedule 15000,300000,...]
 */
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import { EventDispatcher, silentLogger } from '../src/index.js';
import { WSClient } from '../src/transport/ws/index.js';

export interface WsBurstOptions {
  events?: number;
  handlerMs?: number;
  maxConcurrency?: number;
  answerTimeoutMs?: number;
  redeliveryScheduleMs?: readonly number[];
}

export interface WsBurstReport {
  options: Required<WsBurstOptions>;
  queuePeak: number;
  redeliveries: number;
  attempts: number;
  answeredOk: number;
  failedFinally: number;
  handlerRuns: number;
  ranTwice: number;
  neverRan: number;
  seconds: number;
  intake: unknown;
}

const APP = { appId: 'cli_bench_ws_burst', appSecret: 'bench-ws-burst-secret' };

export async function runWsBurst(options: WsBurstOptions = {}): Promise<WsBurstReport> {
  const opts = {
    events: options.events ?? 1_500,
    handlerMs: options.handlerMs ?? 50,
    maxConcurrency: options.maxConcurrency ?? 4,
    answerTimeoutMs: options.answerTimeoutMs ?? 3_000,
    redeliveryScheduleMs: options.redeliveryScheduleMs ?? [15_000, 300_000, 3_600_000, 21_600_000],
  };
  const runs = new Map<string, number>();
  const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(async (event) => {
    await new Promise((r) => setTimeout(r, opts.handlerMs));
    runs.set(event.header.event_id, (runs.get(event.header.event_id) ?? 0) + 1);
  });
  const emu = await startEmulator({ ...APP, answerTimeoutMs: opts.answerTimeoutMs, redeliveryScheduleMs: opts.redeliveryScheduleMs, pingIntervalS: 30 });
  const client = new WSClient({ ...APP, domain: emu.url, dispatcher, maxConcurrency: opts.maxConcurrency, logger: silentLogger });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, client.pending)), 5);
  const statsOf = () => (typeof (client as { stats?: unknown }).stats === "function" ? client.stats() : undefined);
  try {
    await client.start();
    while (!emu.connections().some((c) => c.ready)) await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: opts.events }, () => emu.trigger('im.message.receive_v1')));
    const seconds = (performance.now() - t0) / 1000;
    const stats = emu.stats();
    const ids = answers.map((a) => a.id ?? '');
    return {
      options: opts,
      queuePeak: peak,
      redeliveries: stats.redeliveries,
      attempts: stats.attempts,
      answeredOk: answers.filter((a) => a.code === 200).length,
      failedFinally: answers.filter((a) => a.code !== 200).length,
      handlerRuns: [...runs.values()].reduce((a, b) => a + b, 0),
      ranTwice: [...runs.values()].filter((n) => n > 1).length,
      neverRan: ids.filter((id) => !runs.has(id)).length,
      seconds: Math.round(seconds * 10) / 10,
      intake: statsOf(),
    };
  } finally {
    clearInterval(sampler);
    await client.close();
    await emu.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const o: WsBurstOptions = {};
  if (arg('events')) o.events = Number(arg('events'));
  if (arg('schedule')) o.redeliveryScheduleMs = arg('schedule')!.split(',').map(Number);
  const report = await runWsBurst(o);
  process.stdout.write(JSON.stringify(report) + '\n');
}
