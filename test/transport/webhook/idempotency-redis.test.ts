/** RedisIdempotencyStore against the real Redis on 127.0.0.1:6379. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyUnavailableError, silentLogger } from '../../../src/index.js';
import { createWebhookHandler, RedisIdempotencyStore } from '../../../src/entries/webhook.js';
import type { RedisClientLike } from '../../../src/entries/webhook.js';
import { KEY, p2Message, platformRequest, recordingDispatcher, TOKEN, v1Message } from './helpers.js';

const prefix = `lark-events-test:${randomBytes(6).toString('hex')}:`;
let redis: Redis;
let other: Redis;

beforeAll(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  other = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
  await redis.ping();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  expect(await redis.keys(`${prefix}*`)).toEqual([]);
  await redis.quit();
  await other.quit();
});

describe('RedisIdempotencyStore', () => {
  it('claims with SET NX PX, completes with the long TTL, releases only its own claim', async () => {
    const store = new RedisIdempotencyStore(redis, { prefix, pendingTtlMs: 5_000 });
    expect(await store.claim('k1')).toBe('claimed');
    expect(await redis.get(`${prefix}k1`)).toMatch(/^pending:/);
    const pendingTtl = await redis.pttl(`${prefix}k1`);
    expect(pendingTtl).toBeGreaterThan(0);
    expect(pendingTtl).toBeLessThanOrEqual(5_000);
    expect(await store.claim('k1')).toBe('pending');
    await store.complete('k1');
    expect(await redis.get(`${prefix}k1`)).toBe('done');
    const ttl = await redis.pttl(`${prefix}k1`);
    expect(ttl).toBeGreaterThan(23 * 3600 * 1000); // default 24 h covers the 6-hour retry horizon
    expect(await store.claim('k1')).toBe('done');

    expect(await store.claim('k2')).toBe('claimed');
    await store.release('k2');
    expect(await redis.exists(`${prefix}k2`)).toBe(0);
    expect(await store.claim('k2')).toBe('claimed');

    // A claim that expired and was taken over elsewhere is not released from under the new owner.
    const a = new RedisIdempotencyStore(redis, { prefix, pendingTtlMs: 50 });
    const b = new RedisIdempotencyStore(other, { prefix, pendingTtlMs: 5_000 });
    expect(await a.claim('k3')).toBe('claimed');
    await new Promise((r) => setTimeout(r, 80));
    expect(await b.claim('k3')).toBe('claimed');
    await a.release('k3');
    expect(await b.claim('k3')).toBe('pending');
  });

  it('dedupes across two dispatcher instances sharing one Redis; a failure stays retryable', async () => {
    let failOnce = true;
    const one = recordingDispatcher({ idempotency: new RedisIdempotencyStore(redis, { prefix }) }, { fail: (id) => id === 'x-fail' && failOnce && !(failOnce = false) });
    const two = recordingDispatcher({ idempotency: new RedisIdempotencyStore(other, { prefix }) });
    const h1 = createWebhookHandler(one.dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger });
    const h2 = createWebhookHandler(two.dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger });

    const ids = Array.from({ length: 20 }, (_, i) => `x-${i}`);
    // Each delivery arrives at both instances (the platform's retry landing elsewhere), concurrently.
    const results = await Promise.all(ids.flatMap((id) => {
      const msg = id.endsWith('5') ? v1Message(id) : p2Message(id);
      return [h1.handle(platformRequest(msg, { key: KEY })), h2.handle(platformRequest(msg, { key: KEY }))];
    }));
    // Either 200 (handled / duplicate) or 409 (the other instance is handling it right now).
    for (const r of results) expect([200, 409]).toContain(r.status);
    const dispatched = [...one.rec.calls, ...two.rec.calls].map((c) => c.id).sort();
    expect(dispatched).toEqual([...ids].sort());
    // Later retries to either instance: acknowledged, not dispatched.
    for (const id of ids.slice(0, 5)) expect((await h2.handle(platformRequest(p2Message(id), { key: KEY }))).status).toBe(200);
    expect(one.rec.calls.length + two.rec.calls.length).toBe(ids.length);

    const msg = p2Message('x-fail');
    expect((await h1.handle(platformRequest(msg, { key: KEY }))).status).toBe(500);
    expect((await h2.handle(platformRequest(msg, { key: KEY }))).status).toBe(200);
    expect((await h1.handle(platformRequest(msg, { key: KEY }))).status).toBe(200);
    expect([...one.rec.calls, ...two.rec.calls].filter((c) => c.id === 'x-fail')).toHaveLength(2);
  });
});

/** An in-process stand-in for ioredis whose Redis can be up, refusing (connection errors) or hanging (frozen). */
class FakeRedis implements RedisClientLike {
  mode: 'up' | 'refuse' | 'hang' = 'up';
  readonly data = new Map<string, string>();
  readonly log: string[] = [];
  private readonly buffered: Array<() => void> = [];

  /** Like SIGCONT: runs the commands sent while hanging, in order, then answers again. */
  thaw(): void {
    this.mode = 'up';
    for (const run of this.buffered.splice(0)) run();
  }

  private async answer<T>(command: string, run: () => T): Promise<T> {
    this.log.push(command);
    if (this.mode === 'refuse') throw new Error('connect ECONNREFUSED 127.0.0.1:6390');
    if (this.mode === 'hang') return new Promise<T>((resolve) => this.buffered.push(() => resolve(run())));
    return run();
  }

  set(key: string, value: string, _px: 'PX', _ms: number, nx?: 'NX'): Promise<'OK' | null> {
    return this.answer(`SET ${key} ${value.startsWith('pending:') ? 'pending' : value}${nx ? ' NX' : ''}`, () => {
      if (nx && this.data.has(key)) return null;
      this.data.set(key, value);
      return 'OK' as const;
    });
  }

  get(key: string): Promise<string | null> {
    return this.answer(`GET ${key}`, () => this.data.get(key) ?? null);
  }

  eval(_script: string, _n: number, ...args: (string | number)[]): Promise<unknown> {
    const [key, claim] = args as [string, string];
    return this.answer(`DEL? ${key}`, () => (this.data.get(key) === claim ? Number(this.data.delete(key)) : 0));
  }
}

describe('RedisIdempotencyStore around Redis faults (a stand-in client)', () => {
  const quick = { prefix: 'p:', operationTimeoutMs: 30, retryBaseMs: 10, retryMaxMs: 20, logger: silentLogger };
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 5_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  it('a claim Redis does not answer fails within operationTimeoutMs; later claims fail at once, sending nothing, until a probe succeeds', async () => {
    const redis = new FakeRedis();
    const store = new RedisIdempotencyStore(redis, quick);
    redis.mode = 'hang';
    await expect(store.claim('a')).rejects.toThrow(IdempotencyUnavailableError);
    await expect(store.claim('a')).rejects.toThrow(/no answer within 30 ms|unreachable/);
    expect(store.stats.available).toBe(false);
    const sent = redis.log.filter((c) => c.startsWith('SET')).length;
    await expect(store.claim('b')).rejects.toThrow(/unreachable: retry later/);
    expect(redis.log.filter((c) => c.startsWith('SET')).length).toBe(sent);
    // The SET that timed out may still land (a frozen Redis runs what it had buffered): it is deleted on recovery.
    expect(store.stats.strayClaims).toBe(1);
    redis.thaw();
    expect(redis.data.get('p:a')).toMatch(/^pending:/);
    await until(() => store.stats.available && store.stats.strayClaims === 0, 'recovery');
    expect(redis.log).toContain('GET p:probe');
    expect(redis.data.has('p:a')).toBe(false);
    expect(await store.claim('b')).toBe('claimed');
    store.close();
  });

  it('caps claims in flight: past maxClaimsInFlight a claim is unavailable at once, and a finished one frees a slot', async () => {
    const redis = new FakeRedis();
    const store = new RedisIdempotencyStore(redis, { ...quick, maxClaimsInFlight: 2 });
    expect(await store.claim('a')).toBe('claimed');
    expect(await store.claim('b')).toBe('claimed');
    await expect(store.claim('c')).rejects.toThrow(/2 claims in flight \(maxClaimsInFlight\)/);
    expect(store.stats).toMatchObject({ available: true, claimsInFlight: 2 });
    await store.complete('a');
    expect(await store.claim('c')).toBe('claimed');
    await store.release('b');
    // A claim answered done or pending holds no slot.
    expect(await store.claim('a')).toBe('done');
    expect(await store.claim('c')).toBe('pending');
    expect(store.stats.claimsInFlight).toBe(1);
    // A claim that expired under a slow handler and was claimed again here holds one slot, not two.
    redis.data.delete('p:c');
    expect(await store.claim('c')).toBe('claimed');
    expect(store.stats.claimsInFlight).toBe(1);
    await store.complete('c');
    await store.complete('c');
    expect(store.stats.claimsInFlight).toBe(0);
    store.close();
  });

  it('a "done" write that fails is kept: complete resolves, the key is answered done, and the write is retried until Redis takes it', async () => {
    const redis = new FakeRedis();
    const store = new RedisIdempotencyStore(redis, quick);
    expect(await store.claim('a')).toBe('claimed');
    redis.mode = 'refuse';
    await expect(store.complete('a')).resolves.toBeUndefined();
    expect(store.stats).toMatchObject({ available: false, unsyncedCompletes: 1, claimsInFlight: 0 });
    const before = redis.log.length;
    expect(await store.claim('a')).toBe('done');
    expect(redis.log.length).toBe(before); // answered from the local record
    // Still down after several probes (backed off, bounded): nothing is lost meanwhile.
    await until(() => redis.log.filter((c) => c === 'GET p:probe').length >= 3, 'probes');
    expect(store.stats.unsyncedCompletes).toBe(1);
    redis.mode = 'up';
    await until(() => store.stats.unsyncedCompletes === 0, 'the flush');
    expect(redis.data.get('p:a')).toBe('done');
    expect(await store.claim('a')).toBe('done');
    store.close();
  });

  it('keeps at most maxUnsyncedCompletes, forgetting the oldest with a warning', async () => {
    const redis = new FakeRedis();
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const store = new RedisIdempotencyStore(redis, { ...quick, maxUnsyncedCompletes: 2, logger });
    for (const k of ['a', 'b', 'c']) expect(await store.claim(k)).toBe('claimed');
    redis.mode = 'refuse';
    for (const k of ['a', 'b', 'c']) await store.complete(k);
    expect(store.stats.unsyncedCompletes).toBe(2);
    expect(warnings).toEqual([expect.stringMatching(/unreachable/), expect.stringMatching(/maxUnsyncedCompletes/)]);
    expect(await store.claim('c')).toBe('done');
    await expect(store.claim('a')).rejects.toThrow(IdempotencyUnavailableError);
    store.close();
  });

  it('refuses options that are not positive numbers, naming them', () => {
    const redis = new FakeRedis();
    expect(() => new RedisIdempotencyStore(redis, { operationTimeoutMs: 0 })).toThrow(/operationTimeoutMs must be a positive number, got 0/);
    expect(() => new RedisIdempotencyStore(redis, { maxClaimsInFlight: -1 })).toThrow(/maxClaimsInFlight/);
  });
});
