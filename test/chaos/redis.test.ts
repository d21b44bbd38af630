/**
 * Redis faults under the Redis idempotency store, against a real second redis-server that each test
 * starts on its own port and stops by pid: frozen (SIGSTOP / SIGCONT), killed (SIGKILL) and
 * restarted. Every test checks that no event is lost (each is finally handled) and that no handler
 * runs twice except in the window the README documents (a Redis restarted without persistence
 * forgets what it had recorded).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { EventDispatcher, silentLogger } from '../../src/index.js';
import type { DispatchStatus } from '../../src/index.js';
import { createNodeHandler, createWebhookHandler, RedisIdempotencyStore } from '../../src/entries/webhook.js';
import type { RedisStoreOptions, WebhookHandler } from '../../src/entries/webhook.js';
import type { TriggerAnswer } from '../../src/emulator/index.js';
import { KEY, listen, closeServer, p2Message, platformRequest, TOKEN } from '../transport/webhook/helpers.js';
import { client, emulator, sleep, waitFor } from '../transport/ws/helpers.js';
import { freePort } from '../helpers.js';

const PREFIX = 'chaos:idem:';

/** A redis-server of the test's own: no persistence unless asked, so a restart comes back empty. */
class RedisServer {
  private proc: ChildProcess | undefined;
  private constructor(readonly port: number, private readonly args: readonly string[]) {}

  static async start(args: readonly string[] = ['--save', '', '--appendonly', 'no']): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), args);
    await server.spawn();
    servers.push(server);
    return server;
  }

  get pid(): number {
    const pid = this.proc?.pid;
    if (pid === undefined || this.proc?.exitCode !== null) throw new Error('redis-server is not running');
    return pid;
  }

  freeze(): void {
    process.kill(this.pid, 'SIGSTOP');
  }

  thaw(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    process.kill(this.pid, 'SIGCONT');
    process.kill(this.pid, 'SIGKILL');
    await exited;
  }

  /** Synchronous SIGKILL, for process exit. */
  killNow(): void {
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }

  /** Kill, then a new server on the same port (with the same arguments). */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn();
  }

  private async spawn(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on port ${this.port} did not start: ${output}`)), 10_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          proc.stdout?.off('data', onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.resume();
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on port ${this.port} exited (${String(code)}): ${output}`));
      });
    });
  }
}

const servers: RedisServer[] = [];
const clients: Redis[] = [];
const stores: RedisIdempotencyStore[] = [];
afterEach(async () => {
  try {
    for (const s of stores.splice(0)) s.close();
    for (const c of clients.splice(0)) c.disconnect();
  } finally {
    for (const s of servers.splice(0)) await s.kill();
  }
});
// Should the worker die first: never leave a redis-server behind.
process.once('exit', () => {
  for (const s of servers) s.killNow();
});


/** What the README recommends: no offline queue, so a command fails at once while disconnected. */
const RECOMMENDED: RedisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 };

async function redisClient(server: RedisServer, options: RedisOptions = RECOMMENDED): Promise<Redis> {
  const redis = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true, ...options });
  redis.on('error', () => undefined); // connection errors are the point here; ioredis would print them
  clients.push(redis);
  await redis.connect();
  return redis;
}

/** Test-sized timings: commands time out at 300 ms, a crashed claim blocks for 5 s, probes every 50–200 ms. */
function redisStore(redis: Redis, options: RedisStoreOptions = {}): RedisIdempotencyStore {
  const store = new RedisIdempotencyStore(redis, { prefix: PREFIX, pendingTtlMs: 5_000, operationTimeoutMs: 300, retryBaseMs: 50, retryMaxMs: 200, logger: silentLogger, ...options });
  stores.push(store);
  return store;
}

/** Counts handler runs per event id, and how many run at once. */
class Handlers {
  readonly runs = new Map<string, number>();
  readonly finishedAt = new Map<string, number>();
  readonly payloads = new Map<string, Record<string, unknown>>();
  active = 0;
  maxActive = 0;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  constructor(private readonly durationMs: number) {}

  /** Handlers started from now on wait until `open()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  open(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async run(id: string, payload: Record<string, unknown>): Promise<void> {
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
    this.payloads.set(id, payload);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await sleep(this.durationMs);
      if (this.gate) await this.gate;
    } finally {
      this.active--;
      this.finishedAt.set(id, Date.now());
    }
  }

  twice(): string[] {
    return [...this.runs].filter(([, n]) => n > 1).map(([id]) => id);
  }
}

/** One receiving instance: its own Redis client and store, a dispatcher, and every outcome with its time. */
function instance(store: RedisIdempotencyStore, handlers: Handlers) {
  const outcomes: Array<{ status: DispatchStatus; id: string | undefined; at: number }> = [];
  const inner = new EventDispatcher({ idempotency: store, logger: silentLogger }).register_p2_im_message_receive_v1(async (e, ctx) => {
    await handlers.run(ctx.id ?? '?', e as unknown as Record<string, unknown>);
  });
  const dispatcher = {
    isCallback: (t: string) => inner.isCallback(t),
    async dispatch(...args: Parameters<typeof inner.dispatch>) {
      const outcome = await inner.dispatch(...args);
      outcomes.push({ status: outcome.status, id: outcome.id, at: Date.now() });
      return outcome;
    },
  };
  const webhook = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger });
  const count = (status: DispatchStatus) => outcomes.filter((o) => o.status === status).length;
  return { store, dispatcher, webhook, outcomes, count };
}

/**
 * The platform, for deliveries driven by the test: sends every event, and resends each one not
 * answered 200 (all of them at once, the worst case) every `delayMs`, until all are done.
 */
async function deliverAll(webhook: WebhookHandler, ids: readonly string[], delayMs = 50, deadlineMs = 30_000): Promise<Map<string, number[]>> {
  const answers = new Map<string, number[]>(ids.map((id) => [id, []]));
  let left = [...ids];
  const deadline = Date.now() + deadlineMs;
  while (left.length > 0) {
    if (Date.now() > deadline) throw new Error(`${left.length} events still not answered 200`);
    const statuses = await Promise.all(left.map(async (id) => (await webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status));
    left.forEach((id, i) => answers.get(id)!.push(statuses[i]!));
    left = left.filter((_, i) => statuses[i] !== 200);
    if (left.length > 0) await sleep(delayMs);
  }
  return answers;
}

/** A webhook receiver on 127.0.0.1 and a long connection, both on the emulator, each with its own Redis client and store. */
async function platformSetup(server: RedisServer, handlers: Handlers, redeliveryScheduleMs: number[]) {
  const web = instance(redisStore(await redisClient(server)), handlers);
  const ws = instance(redisStore(await redisClient(server)), handlers);
  const httpServer = http.createServer(createNodeHandler(web.webhook));
  const url = await listen(httpServer);
  const emu = await emulator({ webhook: `${url}/webhook/event`, encryptKey: KEY, verificationToken: TOKEN, answerTimeoutMs: 3_000, redeliveryScheduleMs });
  const wsClient = client(emu, { dispatcher: ws.dispatcher });
  await wsClient.start();
  await waitFor(() => emu.connections().some((c) => c.ready), 5_000, 'the long connection');
  return { emu, web, ws, close: () => closeServer(httpServer) };
}

/** Triggers `count` events at `perSecond`, alternating long connection and webhook; `onTick(i)` runs before the i-th send. */
async function traffic(emu: Awaited<ReturnType<typeof emulator>>, count: number, perSecond: number, onTick: (sent: number) => Promise<void> | void): Promise<TriggerAnswer[]> {
  const pending: Promise<TriggerAnswer>[] = [];
  for (let i = 0; i < count; i++) {
    await onTick(i);
    pending.push(emu.trigger('im.message.receive_v1', { via: i % 2 === 0 ? 'ws' : 'webhook' }));
    await sleep(1_000 / perSecond);
  }
  return Promise.all(pending);
}

function expectAllHandledOnce(answers: TriggerAnswer[], handlers: Handlers): void {
  const sent = new Set(answers.map((a) => a.id ?? '?'));
  expect(sent.size).toBe(answers.length);
  expect(answers.filter((a) => a.code !== 200)).toEqual([]);
  expect(new Set(handlers.runs.keys())).toEqual(sent);
  expect(handlers.twice()).toEqual([]);
}

describe('chaos: Redis faults under the Redis idempotency store', () => {
  it('a Redis frozen (SIGSTOP) during traffic, then resumed: every event handled, none twice', async () => {
    const server = await RedisServer.start();
    const handlers = new Handlers(300);
    const { emu, web, ws, close } = await platformSetup(server, handlers, [400, 800, 1_600, 3_200]);
    try {
      // 40 events/s for 4 s with 300 ms handlers; Redis frozen from 1 s to 3.5 s.
      const answers = await traffic(emu, 160, 40, async (i) => {
        if (i === 40) server.freeze();
        if (i === 140) server.thaw();
      });
      expectAllHandledOnce(answers, handlers);
      // The freeze did bite: deliveries were refused (fail closed) and redelivered.
      expect(web.count('unavailable') + ws.count('unavailable')).toBeGreaterThan(0);
      expect(answers.some((a) => a.attempts > 1)).toBe(true);
      for (const x of [web, ws]) await waitFor(() => x.store.stats.available && x.store.stats.unsyncedCompletes === 0 && x.store.stats.strayClaims === 0, 5_000, 'the store to flush');
      console.info(`redis frozen 2.5 s: ${answers.length} events, ${web.count('unavailable') + ws.count('unavailable')} answered unavailable, ${emu.stats().redeliveries} redeliveries, ${handlers.maxActive} handlers at once at most`);
    } finally {
      await close();
    }
  }, 60_000);

  it('a Redis killed (SIGKILL) and restarted empty: every event handled, none twice; redelivered, only ids recorded before the restart run again', async () => {
    const server = await RedisServer.start();
    const handlers = new Handlers(300);
    const { emu, web, ws, close } = await platformSetup(server, handlers, [400, 800, 1_600, 3_200]);
    let killedAt = 0;
    let restartedAt = 0;
    let cleanAtKill = false;
    try {
      const answers = await traffic(emu, 160, 40, async (i) => {
        if (i === 40) {
          // Every "done" so far was taken by this Redis (none kept locally): it will be lost with it.
          cleanAtKill = [web, ws].every((x) => x.store.stats.available && x.store.stats.unsyncedCompletes === 0);
          killedAt = Date.now();
          await server.kill();
        }
        if (i === 120) {
          await server.restart();
          restartedAt = Date.now();
        }
      });
      expectAllHandledOnce(answers, handlers);
      expect(web.count('unavailable') + ws.count('unavailable')).toBeGreaterThan(0);
      for (const x of [web, ws]) await waitFor(() => x.store.stats.available && x.store.stats.unsyncedCompletes === 0 && x.store.stats.strayClaims === 0, 5_000, 'the store to flush');

      // The documented window: this Redis kept nothing across its restart. Redeliver every event once more.
      const before = new Map(handlers.runs);
      const finished = new Map(handlers.finishedAt);
      const again = await Promise.all(answers.map((a) => emu.trigger(handlers.payloads.get(a.id ?? '?')!, { via: 'webhook', fresh: false })));
      expect(again.filter((a) => a.code !== 200)).toEqual([]);
      const rerun = new Set([...handlers.runs].filter(([id, n]) => n > before.get(id)!).map(([id]) => id));
      // Answered before the kill: their "done" was only in the lost Redis, so they run again…
      const doneInLostRedis = web.outcomes.concat(ws.outcomes).filter((o) => o.status === 'handled' && o.at < killedAt).map((o) => o.id ?? '?');
      expect(doneInLostRedis.length).toBeGreaterThan(0);
      expect(cleanAtKill).toBe(true);
      for (const id of doneInLostRedis) expect(rerun.has(id), id).toBe(true);
      // …and nothing that finished after the restart (its "done" is in the new Redis, or was flushed there) does.
      for (const id of rerun) expect(finished.get(id)! < restartedAt, id).toBe(true);
      console.info(`redis killed for ${restartedAt - killedAt} ms, restarted empty: ${answers.length} events handled once; redelivered afterwards, ${rerun.size} ran again (all recorded only in the lost Redis)`);
    } finally {
      await close();
    }
  }, 60_000);

  it('with appendonly yes + appendfsync always, a Redis killed and restarted forgets nothing: no redelivery runs again', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lark-redis-'));
    try {
      const server = await RedisServer.start(['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]);
      const handlers = new Handlers(20);
      const redis = await redisClient(server);
      const one = instance(redisStore(redis), handlers);
      const ids = Array.from({ length: 50 }, (_, i) => `aof-${i}-${Date.now()}`);
      await deliverAll(one.webhook, ids);
      expect(handlers.runs.size).toBe(ids.length);
      await server.restart();
      await waitFor(() => redis.status === 'ready', 5_000, 'ioredis to reconnect');
      const again = await deliverAll(one.webhook, ids);
      expect([...again.values()].map((statuses) => statuses.at(-1))).toEqual(ids.map(() => 200));
      expect(one.count('duplicate')).toBe(ids.length);
      expect(new Set(handlers.runs.keys())).toEqual(new Set(ids));
      expect(handlers.twice()).toEqual([]);
    } finally {
      for (const s of servers.splice(0)) await s.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  for (const fault of ['killed', 'frozen'] as const) {
    it(`a "done" write that fails (Redis ${fault} while the handler runs): answered 200, redeliveries answered done, written when Redis is back`, async () => {
      const server = await RedisServer.start();
      const handlers = new Handlers(0);
      const a = instance(redisStore(await redisClient(server)), handlers);
      const id = `done-lost-${fault}-${Date.now()}`;
      const failing = `release-lost-${fault}-${Date.now()}`;

      handlers.hold();
      const first = a.webhook.handle(platformRequest(p2Message(id), { key: KEY }));
      await waitFor(() => handlers.active === 1, 5_000, 'the handler to start');
      if (fault === 'killed') await server.kill();
      else server.freeze();
      handlers.open();
      // The handler succeeded: 200, although Redis did not take the write (kept locally).
      expect((await first).status).toBe(200);
      expect(a.store.stats).toMatchObject({ available: false, unsyncedCompletes: 1 });

      // Redelivered while Redis is down: answered done from the local record, not run again.
      expect((await a.webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status).toBe(200);
      // A new event while Redis is down: refused (fail closed), its handler does not run.
      const refused = await a.webhook.handle(platformRequest(p2Message(failing), { key: KEY }));
      expect(refused.status).toBe(503);
      expect(refused.body).toContain('idempotency store unavailable');
      expect(handlers.runs.get(failing)).toBeUndefined();

      if (fault === 'killed') await server.restart();
      else server.thaw();
      await waitFor(() => a.store.stats.available && a.store.stats.unsyncedCompletes === 0, 5_000, 'the store to flush');

      // The write reached Redis (the new, empty one after a restart): another instance sees it done too.
      const probe = await redisClient(server);
      expect(await probe.get(`${PREFIX}p2:${id}`)).toBe('done');
      const b = instance(redisStore(probe), handlers);
      expect((await b.webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status).toBe(200);
      expect((await a.webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status).toBe(200);
      expect(handlers.runs.get(id)).toBe(1);
      expect(b.count('duplicate') + a.count('duplicate')).toBe(3);

      // The refused event is not lost: its retry runs it, once.
      const answers = await deliverAll(b.webhook, [failing]);
      expect(answers.get(failing)?.at(-1)).toBe(200);
      expect(handlers.runs.get(failing)).toBe(1);
      expect(handlers.twice()).toEqual([]);
    }, 60_000);
  }

  it('a handler that fails while Redis is frozen: its claim is deleted once Redis answers, so the retry runs it at once (not 409 until the claim expires)', async () => {
    const server = await RedisServer.start();
    const store = redisStore(await redisClient(server), { pendingTtlMs: 60_000 });
    let fail = true;
    const runs: string[] = [];
    const dispatcher = new EventDispatcher({ idempotency: store, logger: silentLogger }).register_p2_im_message_receive_v1(async (_e, ctx) => {
      runs.push(ctx.id ?? '?');
      if (fail) {
        server.freeze();
        throw new Error('handler failed');
      }
    });
    const webhook = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger });
    const id = `fail-${Date.now()}`;
    // Failed: 500 (the platform retries); the release timed out, so the claim may still be in Redis.
    expect((await webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status).toBe(500);
    expect(store.stats).toMatchObject({ available: false, strayClaims: 1 });
    fail = false;
    server.thaw();
    await waitFor(() => store.stats.available && store.stats.strayClaims === 0, 5_000, 'the store to flush');
    const probe = await redisClient(server);
    expect(await probe.exists(`${PREFIX}p2:${id}`)).toBe(0);
    // The retry runs it now (pendingTtlMs is 60 s: without the delete it would be 409 for a minute).
    expect((await webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status).toBe(200);
    expect(runs).toEqual([id, id]);
    expect((await webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status).toBe(200);
    expect(runs).toEqual([id, id]);
  }, 60_000);

  it('when Redis comes back, at most maxClaimsInFlight handlers run at once, however many deliveries arrive', async () => {
    const server = await RedisServer.start();
    const handlers = new Handlers(100);
    const MAX = 8;
    // The default ioredis client (offline queue on): the store bounds what piles up, not the client.
    const one = instance(redisStore(await redisClient(server, { retryStrategy: () => 50 }), { maxClaimsInFlight: MAX }), handlers);
    const warmup = Array.from({ length: 40 }, (_, i) => `warm-${i}-${Date.now()}`);
    await deliverAll(one.webhook, warmup);
    expect(handlers.maxActive).toBeLessThanOrEqual(MAX);

    await server.kill();
    const ids = Array.from({ length: 300 }, (_, i) => `herd-${i}-${Date.now()}`);
    // The platform sends 300 events while Redis is down: all refused, none run.
    const during = await Promise.all(ids.map(async (id) => (await one.webhook.handle(platformRequest(p2Message(id), { key: KEY }))).status));
    expect(during.filter((s) => s !== 503)).toEqual([]);
    expect(ids.filter((id) => handlers.runs.has(id))).toEqual([]);

    await server.restart();
    handlers.maxActive = 0;
    // Then retries all 300 at once, round after round, until every one is answered 200.
    const answers = await deliverAll(one.webhook, ids, 50, 60_000);
    expect(handlers.maxActive).toBeLessThanOrEqual(MAX);
    expect(handlers.maxActive).toBeGreaterThan(1);
    // The cap refused the herd (503, retried) rather than queueing it.
    expect([...answers.values()].flat().filter((s) => s === 503).length).toBeGreaterThan(ids.length);
    expect(new Set(handlers.runs.keys())).toEqual(new Set([...warmup, ...ids]));
    expect(handlers.twice()).toEqual([]);
    console.info(`redis back after an outage: 300 deliveries retried at once, ${handlers.maxActive} handlers ran at once at most (maxClaimsInFlight ${MAX})`);
  }, 90_000);
});
