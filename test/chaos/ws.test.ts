import { describe, expect, it } from 'vitest';
import { EventDispatcher, MemoryIdempotencyStore, silentLogger } from '../../src/index.js';
import type { DispatchStatus } from '../../src/index.js';
import type { TriggerAnswer } from '../../src/emulator/index.js';
import { seededRandom } from '../../src/emulator/random.js';
import type { WSDispatcher } from '../../src/transport/ws/index.js';
import { client, emulator, waitFor } from '../transport/ws/helpers.js';

const EVENTS = 5_000;
const WINDOW = 100;
const SEED = 20_240_601;

describe('chaos: connections dropping at random while events flow', () => {
  it('handles every event exactly once across two clients sharing an idempotency store', async () => {
    const emu = await emulator({
      // About one send in 500 kills its connection, and every delivery in flight on it with it.
      dropRate: 0.002,
      dropDelayMs: 3,
      // The drop decisions are a seeded sequence: the same sends are dropped on every run.
      seed: SEED,
      answerTimeoutMs: 1_000,
      redeliveryScheduleMs: [50, 200, 500, 1_000],
      reconnectIntervalS: 0.05,
      reconnectNonceS: 0.02,
      pingIntervalS: 1,
    });
    const store = new MemoryIdempotencyStore();
    const runs = new Map<string, number>();
    const statuses = new Map<DispatchStatus, number>();
    let reconnects = 0;

    const random = seededRandom(SEED);
    const makeDispatcher = (): WSDispatcher => {
      const inner = new EventDispatcher({ idempotency: store, logger: silentLogger }).register_p2_im_message_receive_v1(async (_e, ctx) => {
        runs.set(ctx.id ?? '?', (runs.get(ctx.id ?? '?') ?? 0) + 1);
        if (random() < 0.1) await new Promise((r) => setImmediate(r));
      });
      return {
        async dispatch(body, transport) {
          const result = await inner.dispatch(body, transport);
          statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
          return result;
        },
      };
    };
    const a = client(emu, { dispatcher: makeDispatcher(), reconnectBaseMs: 20 });
    const b = client(emu, { dispatcher: makeDispatcher(), reconnectBaseMs: 20 });
    for (const c of [a, b]) c.on('state', (s) => s === 'reconnecting' && reconnects++);
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => emu.connections().filter((c) => c.ready).length === 2, 2_000, 'both clients ready');

    const t0 = Date.now();
    const answers: TriggerAnswer[] = [];
    let next = 0;
    let forced = 0;
    await Promise.all(
      Array.from({ length: WINDOW }, async () => {
        while (next < EVENTS) {
          next++;
          // On top of the random drops, both connections at once, a few times.
          if (next % 1_500 === 0) forced += emu.dropConnections();
          answers.push(await emu.trigger('im.message.receive_v1'));
        }
      }),
    );
    const elapsed = Date.now() - t0;

    const sent = new Set(answers.map((x) => x.id));
    expect(sent.size).toBe(EVENTS);
    expect(answers.filter((x) => x.code !== 200)).toEqual([]);
    expect(new Set(runs.keys())).toEqual(sent);
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([]);

    // The chaos really happened: connections dropped, events were redelivered, and duplicates were absorbed.
    const stats = emu.stats();
    expect(stats.drops).toBeGreaterThanOrEqual(1);
    expect(forced).toBeGreaterThanOrEqual(1);
    expect(reconnects).toBeGreaterThanOrEqual(3);
    expect(stats.redeliveries).toBeGreaterThan(0);
    expect(answers.some((x) => x.attempts > 1)).toBe(true);
    expect((statuses.get('handled') ?? 0)).toBe(EVENTS);
    expect((statuses.get('duplicate') ?? 0)).toBeGreaterThan(0);
    console.info(`chaos: ${EVENTS} events in ${elapsed} ms; ${stats.drops} random + ${forced} forced drops, ${reconnects} reconnects, ${stats.redeliveries} redeliveries, ${statuses.get('duplicate') ?? 0} duplicates absorbed, ${statuses.get('pending') ?? 0} pending`);
  }, 60_000);
});
