/** RedisIdempotencyStore against the real Redis on 127.0.0.1:6379. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import { createWebhookHandler, RedisIdempotencyStore } from '../../../src/entries/webhook.js';
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
