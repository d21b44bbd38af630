/**
 * The campaign's burst without the inbox (issue 12): 1,500 events at once over the long
 * connection, 50 ms handlers, `maxConcurrency: 4`, the platform's 3 s answer deadline, under two
 * redelivery ladders: the campaign's short one (1 s, 2 s, 3 s, 4 s: redeliveries arrive while the
 * burst is still being worked off) and the platform's first retry (15 s; the later steps are
 * shortened to 30 s, 1 min, 2 min so that a run ends). Reports the client's queue peak, the
 * platform's redeliveries, lost events and how often each handler ran; and the same short-ladder
 * burst with `refuseLate: true`, which shows why that is not the default. Each run first handles
 * a few events one at a time (a client that has been running knows its handlers' time).
 *
 * 4 × 50 ms handlers work off at most 80 events/s, so about 1,260 events miss the 3 s deadline
 * whatever the client does: with the platform's ladder the floor is about one redelivery each
 * (~1,260), with the short ladder about 2,800. The old client (no coalescing): 5,360–5,730 and a
 * queue of 4,500–4,800 jobs with the short ladder, 1,614 and 1,564 jobs with the platform's.
 *
 *   npx tsx bench/ws-burst.ts [--events N]        (also: npm run bench -- --only ws-burst)
 */
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import { EventDispatcher, silentLogger } from '../src/index.js';
import type { WSIntakeStats } from '../src/entries/ws.js';
import { WSClient } from '../src/transport/ws/index.js';

export interface WsBurstScenario {
  readonly name: string;
  readonly redeliveryScheduleMs: readonly number[];
  readonly refuseLate?: boolean;
}

export interface WsBurstOptions {
  events?: number;
  handlerMs?: number;
  maxConcurrency?: number;
  answerTimeoutMs?: number;
  scenarios?: readonly WsBurstScenario[];
}

export interface WsBurstRow {
  name: string;
  redeliveryScheduleMs: readonly number[];
  refuseLate: boolean;
  /** Deliveries running or waiting in the client at once, sampled every 5 ms. */
  queuePeak: number;
  redeliveries: number;
  redeliveriesPerEvent: number;
  /** Events whose last attempt still failed: the platform gave up on them. */
  lost: number;
  ranTwice: number;
  neverRan: number;
  seconds: number;
  /** The client's counters, warm-up included. */
  intake: WSIntakeStats;
}

export interface WsBurstReport {
  options: { events: number; handlerMs: number; maxConcurrency: number; answerTimeoutMs: number };
  rows: WsBurstRow[];
}

const WARMUP = 8;
const APP = { appId: 'cli_bench_ws_burst', appSecret: 'bench-ws-burst-secret' };
const SHORT_LADDER = [1_000, 2_000, 3_000, 4_000];
export const WS_BURST_SCENARIOS: readonly WsBurstScenario[] = [
  { name: 'short ladder (1, 2, 3, 4 s)', redeliveryScheduleMs: SHORT_LADDER },
  { name: 'platform first retry (15 s, 30 s, 1 min, 2 min)', redeliveryScheduleMs: [15_000, 30_000, 60_000, 120_000] },
  { name: 'short ladder, refuseLate', redeliveryScheduleMs: SHORT_LADDER, refuseLate: true },
];

async function runScenario(o: WsBurstReport['options'], scenario: WsBurstScenario): Promise<WsBurstRow> {
  const runs = new Map<string, number>();
  const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(async (event) => {
    await new Promise((r) => setTimeout(r, o.handlerMs));
    runs.set(event.header.event_id, (runs.get(event.header.event_id) ?? 0) + 1);
  });
  const emu = await startEmulator({ ...APP, answerTimeoutMs: o.answerTimeoutMs, redeliveryScheduleMs: scenario.redeliveryScheduleMs, pingIntervalS: 30 });
  const client = new WSClient({ ...APP, domain: emu.url, dispatcher, maxConcurrency: o.maxConcurrency, refuseLate: scenario.refuseLate, logger: silentLogger });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, client.pending)), 5);
  try {
    await client.start();
    while (!emu.connections().some((c) => c.ready)) await new Promise((r) => setTimeout(r, 10));
    // A client that has been running: a few events first, so that refuseLate knows the handlers' time.
    for (let i = 0; i < WARMUP; i++) await emu.trigger('im.message.receive_v1');
    runs.clear();
    const before = emu.stats().redeliveries;
    peak = 0;
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: o.events }, () => emu.trigger('im.message.receive_v1')));
    const seconds = (performance.now() - t0) / 1000;
    const redeliveries = emu.stats().redeliveries - before;
    return {
      name: scenario.name,
      redeliveryScheduleMs: scenario.redeliveryScheduleMs,
      refuseLate: scenario.refuseLate ?? false,
      queuePeak: peak,
      redeliveries,
      redeliveriesPerEvent: Math.round((redeliveries / o.events) * 100) / 100,
      lost: answers.filter((a) => a.code !== 200).length,
      ranTwice: [...runs.values()].filter((n) => n > 1).length,
      neverRan: answers.filter((a) => !runs.has(a.id ?? '')).length,
      seconds: Math.round(seconds * 10) / 10,
      intake: client.stats(),
    };
  } finally {
    clearInterval(sampler);
    await client.close();
    await emu.close();
  }
}

export async function runWsBurst(options: WsBurstOptions = {}): Promise<WsBurstReport> {
  const o = { events: options.events ?? 1_500, handlerMs: options.handlerMs ?? 50, maxConcurrency: options.maxConcurrency ?? 4, answerTimeoutMs: options.answerTimeoutMs ?? 3_000 };
  const rows: WsBurstRow[] = [];
  for (const scenario of options.scenarios ?? WS_BURST_SCENARIOS) rows.push(await runScenario(o, scenario));
  return { options: o, rows };
}

export function formatWsBurst(report: WsBurstReport): string {
  const { events, handlerMs, maxConcurrency, answerTimeoutMs } = report.options;
  const lines = [
    `long-connection burst: ${events} events at once, ${handlerMs} ms handlers, maxConcurrency ${maxConcurrency}, ${answerTimeoutMs} ms deadline`,
    '| ladder | queue peak | redeliveries (per event) | coalesced | refused | lost | ran twice | s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.rows.map((r) => `| ${r.name} | ${r.queuePeak} | ${r.redeliveries} (${r.redeliveriesPerEvent}×) | ${r.intake.coalesced} | ${r.intake.refused} | ${r.lost} | ${r.ranTwice} | ${r.seconds} |`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--events');
  const report = await runWsBurst(i > 0 ? { events: Number(process.argv[i + 1]) } : {});
  process.stdout.write(`${formatWsBurst(report)}\n`);
}
