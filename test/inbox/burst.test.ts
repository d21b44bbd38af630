/**
 * The campaign's burst (issue 12): 1,500 events at once over the long connection, 50 ms handlers,
 * 4 at a time, the platform's 3 s answer deadline and redelivery schedule. Without the inbox the
 * handlers need ~19 s and most deliveries miss the deadline; with it the client answers as soon
 * as Redis has each job, so nothing is redelivered, and the worker then runs every handler once.
 */
import { afterAll, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { createInbox, createInboxWorker, inboxDispatcher } from '../../src/entries/inbox.js';
import { EventDispatcher, silentLogger } from '../../src/index.js';
import { WSClient } from '../../src/transport/ws/index.js';
import { obliterate, p2Event, REDIS_URL, uniqueQueue, waitFor } from './helpers.js';

const EVENTS = 1_500;
const HANDLER_MS = 50;
const CONCURRENCY = 4;
const APP = { appId: 'cli_inbox_burst_test', appSecret: 'inbox-burst-test-secret' };
const queueName = uniqueQueue('burst');
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await obliterate(queueName);
});

it('1,500-event burst with 50 ms handlers, concurrency 4, 3 s deadline: zero redeliveries with the inbox', { timeout: 90_000 }, async () => {
  const runs = new Map<string, number>();
  const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(async (event) => {
    await new Promise((r) => setTimeout(r, HANDLER_MS));
    runs.set(event.header.event_id, (runs.get(event.header.event_id) ?? 0) + 1);
  });
  const inbox = await createInbox({ connection: REDIS_URL, queueName, logger: silentLogger });
  cleanups.push(() => inbox.close());
  // The platform's deadline and schedule (answerTimeoutMs 3 000, redeliveries after 15 s, 5 min, …).
  const emulator = await startEmulator({ ...APP, answerTimeoutMs: 3_000 });
  cleanups.push(() => emulator.close());
  const client = new WSClient({ ...APP, domain: emulator.url, dispatcher: inboxDispatcher(inbox, dispatcher), maxConcurrency: CONCURRENCY, logger: silentLogger });
  cleanups.push(() => client.close());
  await client.start();
  await waitFor(() => emulator.connections().some((c) => c.ready), 5_000, 'the long connection');

  const started = Date.now();
  const events = Array.from({ length: EVENTS }, () => p2Event());
  const answers = await Promise.all(events.map((e) => emulator.trigger(e, { via: 'ws' })));
  const ackedAt = Date.now();
  const stats = emulator.stats();
  const slowest = Math.max(...answers.map((a) => a.latency_ms));
  expect(answers.filter((a) => a.code !== 200)).toEqual([]);
  expect(stats.redeliveries).toBe(0);
  expect(stats.attempts).toBe(EVENTS);

  // Then the worker runs them all, each once.
  const worker = await createInboxWorker({ connection: REDIS_URL, queueName, dispatcher, concurrency: CONCURRENCY, logger: silentLogger });
  cleanups.push(() => worker.close());
  await waitFor(() => runs.size === EVENTS, 60_000, 'every handler to run');
  const doneAt = Date.now();
  console.log(JSON.stringify({ events: EVENTS, redeliveries: stats.redeliveries, ackSeconds: (ackedAt - started) / 1000, slowestAckMs: slowest, drainSeconds: (doneAt - ackedAt) / 1000 }));
  expect([...runs.values()].every((n) => n === 1)).toBe(true);
  expect(await inbox.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: EVENTS });
});
