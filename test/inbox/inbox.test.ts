/** The durable inbox against the real Redis on 127.0.0.1:6379 (a queue of its own per run) and a redis-server of its own for faults. */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { EventDispatcher, silentLogger } from '../../src/index.js';
import { createWebhookHandler } from '../../src/entries/webhook.js';
import { wsAnswer } from '../../src/entries/ws.js';
import type { WebhookRequest } from '../../src/entries/webhook.js';
import { createInbox, createInboxWorker, inboxDispatcher, InboxConnectionError, jobIdOf, parseLadder, redactRedisUrl } from '../../src/entries/inbox.js';
import type { Inbox, InboxJobInfo, InboxWorker } from '../../src/entries/inbox.js';
import { cardAction, obliterate, p2Event, REDIS_URL, startRedis, TOKEN, uniqueQueue, waitFor } from './helpers.js';

const queues: string[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  for (const q of queues) await obliterate(q);
});

async function inboxFor(what: string, options: Partial<Parameters<typeof createInbox>[0]> = {}): Promise<Inbox> {
  const queueName = uniqueQueue(what);
  queues.push(queueName);
  const inbox = await createInbox({ connection: REDIS_URL, queueName, logger: silentLogger, ...options });
  closers.push(() => inbox.close());
  return inbox;
}

async function workerFor(inbox: Inbox, dispatcher: EventDispatcher, options: Partial<Parameters<typeof createInboxWorker>[0]> = {}): Promise<InboxWorker> {
  const worker = await createInboxWorker({ connection: REDIS_URL, queueName: inbox.queueName, dispatcher, logger: silentLogger, ...options });
  closers.push(() => worker.close());
  return worker;
}

const request = (body: unknown): WebhookRequest => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
const idOf = (event: Record<string, unknown>) => (event.header as { event_id: string }).event_id;

describe('receivers enqueue', () => {
  it('answers 200 once the job is in Redis, under the event id; a redelivery adds no job', async () => {
    const inbox = await inboxFor('enqueue');
    let ran = 0;
    const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(() => void ran++);
    const handler = createWebhookHandler(inboxDispatcher(inbox, dispatcher), { verificationToken: TOKEN, logger: silentLogger });
    const event = p2Event();
    const first = await handler.handle(request(event));
    expect(first.status).toBe(200);
    expect(first.result?.status).toBe('queued');
    const job = await inbox.queue.getJob(`p2-${idOf(event)}`);
    expect(job?.data.payload).toEqual(event);
    expect(job?.data.transport).toBe('webhook');
    expect(ran).toBe(0); // nothing runs in the receiver

    const again = await handler.handle(request(event));
    expect(again.status).toBe(200);
    expect(await inbox.queue.getJobCounts('waiting', 'active', 'completed', 'delayed', 'failed')).toEqual({ waiting: 1, active: 0, completed: 0, delayed: 0, failed: 0 });
  });

  it('checks before enqueueing: a bad token (401), a malformed body (400) and, with validation reject, an invalid payload (400) queue nothing', async () => {
    const inbox = await inboxFor('checks');
    const dispatcher = new EventDispatcher({ logger: silentLogger, validation: 'reject' });
    const handler = createWebhookHandler(inboxDispatcher(inbox, dispatcher), { verificationToken: TOKEN, logger: silentLogger });
    const forged = p2Event();
    (forged.header as Record<string, unknown>).token = 'wrong';
    expect((await handler.handle(request(forged))).status).toBe(401);
    expect((await handler.handle(request({ schema: '2.0', header: { event_type: 'im.message.receive_v1', token: TOKEN } }))).status).toBe(400);
    const invalid = p2Event();
    (invalid.event as { message: Record<string, unknown> }).message.message_id = 42;
    const answer = await handler.handle(request(invalid));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('/event/message/message_id');
    expect(await inbox.queue.count()).toBe(0);
  });

  it('never queues a callback: its handler answers at once', async () => {
    const inbox = await inboxFor('callback');
    const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_card_action_trigger(() => ({ toast: { type: 'success' as const, content: 'done' } }));
    const handler = createWebhookHandler(inboxDispatcher(inbox, dispatcher), { verificationToken: TOKEN, logger: silentLogger });
    const answer = await handler.handle(request(cardAction()));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ toast: { type: 'success', content: 'done' } });
    expect(await inbox.queue.count()).toBe(0);
  });

  it('answers 503 (long connection: code 500) when Redis cannot take the job, and 200 again once it is back', async () => {
    const redis = await startRedis();
    closers.push(() => redis.stop());
    const inbox = await createInbox({ connection: redis.url, queueName: uniqueQueue('down'), logger: silentLogger, enqueueTimeoutMs: 500 });
    closers.push(() => inbox.close());
    const receiving = inboxDispatcher(inbox, new EventDispatcher({ logger: silentLogger }));
    const handler = createWebhookHandler(receiving, { verificationToken: TOKEN, logger: silentLogger });
    expect((await handler.handle(request(p2Event()))).status).toBe(200);

    redis.process.kill('SIGSTOP'); // frozen: the write is never acknowledged
    const started = Date.now();
    const frozen = await handler.handle(request(p2Event()));
    expect(frozen.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
    const viaWs = await receiving.dispatch(p2Event(), 'ws');
    expect(viaWs.status).toBe('unavailable');
    expect(wsAnswer(viaWs).code).toBe(500);
    redis.process.kill('SIGCONT');
    expect((await handler.handle(request(p2Event()))).status).toBe(200);

    await redis.stop(); // gone
    expect((await handler.handle(request(p2Event()))).status).toBe(503);
  });
});

describe('workers', () => {
  it('run the typed dispatcher; a throwing handler is retried along the ladder and completes only after it succeeded', async () => {
    const inbox = await inboxFor('retry', { retryLadderMs: [30, 30] });
    const attempts = new Map<string, number>();
    const completed: InboxJobInfo[] = [];
    const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1((event, ctx) => {
      const n = (attempts.get(event.header.event_id) ?? 0) + 1;
      attempts.set(event.header.event_id, n);
      expect(ctx.transport).toBe('webhook');
      if (n < 3) throw new Error(`attempt ${n} fails`);
    });
    await workerFor(inbox, dispatcher, { retryLadderMs: [30, 30], onCompleted: (job) => completed.push(job) });
    const handler = createWebhookHandler(inboxDispatcher(inbox, dispatcher), { verificationToken: TOKEN, logger: silentLogger });
    const event = p2Event();
    expect((await handler.handle(request(event))).status).toBe(200);
    await waitFor(() => completed.length === 1, 10_000, 'the job to complete');
    expect(attempts.get(idOf(event))).toBe(3);
    expect(completed[0]).toMatchObject({ jobId: `p2-${idOf(event)}`, id: idOf(event), eventType: 'im.message.receive_v1', attempts: 3 });
    expect(await (await inbox.queue.getJob(`p2-${idOf(event)}`))?.getState()).toBe('completed');
    // Redelivered after completion (within the dedupe window): acknowledged, no new job, no run.
    expect((await handler.handle(request(event))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(attempts.get(idOf(event))).toBe(3);
    expect(completed).toHaveLength(1);
  });

  it('dead-letters a job still failing after the whole ladder, and keeps completed ids by age, not count', async () => {
    const ladder = [20, 20, 20];
    const inbox = await inboxFor('dead', { retryLadderMs: ladder });
    let runs = 0;
    const finals: Error[] = [];
    const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(() => {
      runs++;
      throw new Error('always');
    });
    await workerFor(inbox, dispatcher, { retryLadderMs: ladder, onFailed: (_job, err, final) => final && finals.push(err) });
    const event = p2Event();
    await inboxDispatcher(inbox, dispatcher).dispatch(event, 'ws');
    await waitFor(() => finals.length === 1, 10_000, 'the dead letter');
    expect(runs).toBe(ladder.length + 1);
    const job = await inbox.queue.getJob(`p2-${idOf(event)}`);
    expect(await job?.getState()).toBe('failed');
    expect(job?.failedReason).toContain('always');
    expect(job?.opts.removeOnComplete).toEqual({ age: 24 * 3600 });
    expect(job?.opts.attempts).toBe(ladder.length + 1);
  });

  it('dead-letters at once what the worker dispatcher rejects as invalid (no retry can help)', async () => {
    const inbox = await inboxFor('invalid', { retryLadderMs: [1000] });
    const finals: Error[] = [];
    const dispatcher = new EventDispatcher({ logger: silentLogger, validation: 'reject' }).register_p2_im_message_receive_v1(() => undefined);
    await workerFor(inbox, dispatcher, { retryLadderMs: [1000], onFailed: (_job, err, final) => final && finals.push(err) });
    const invalid = p2Event();
    (invalid.event as { message: Record<string, unknown> }).message.message_id = 42;
    // The receiver validates with "warn" here, so the job is queued; the worker rejects.
    await inboxDispatcher(inbox, dispatcher, { validation: 'warn' }).dispatch(invalid, 'ws');
    await waitFor(() => finals.length === 1, 5_000, 'the dead letter');
    expect(finals[0]?.message).toContain('invalid');
  });
});

describe('configuration', () => {
  it('names a bad or unreachable URL without its password', async () => {
    await expect(createInbox({ connection: 'http://127.0.0.1:6379' })).rejects.toThrow(/must start with redis:\/\//);
    await expect(createInbox({ connection: 'not a url' })).rejects.toBeInstanceOf(InboxConnectionError);
    const refused = createInbox({ connection: 'redis://user:s3cret@127.0.0.1:1/0', logger: silentLogger });
    await expect(refused).rejects.toThrow('cannot reach Redis at redis://user:***@127.0.0.1:1/0: ECONNREFUSED');
    await expect(refused).rejects.not.toThrow(/s3cret/);
    expect(redactRedisUrl('redis://:pw@h:1')).toBe('redis://:***@h:1');
  });

  it('builds job ids from the kind and the event id, and parses ladders', () => {
    expect(jobIdOf({ kind: 'p2', id: 'abc' })).toBe('p2-abc');
    expect(jobIdOf({ kind: 'p1', id: 'a:b' })).toBe('p1-a%3Ab');
    expect(jobIdOf({ kind: 'p2', id: undefined })).toBeUndefined();
    expect(parseLadder('15s,5m,1h,6h')).toEqual([15_000, 300_000, 3_600_000, 21_600_000]);
    expect(parseLadder('50,100ms')).toEqual([50, 100]);
    expect(() => parseLadder('soon')).toThrow(/not a duration/);
  });

  it('accepts an ioredis client the caller owns', async () => {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    closers.push(() => client.quit());
    const queueName = uniqueQueue('client');
    queues.push(queueName);
    const inbox = await createInbox({ connection: client, queueName, logger: silentLogger });
    await inboxDispatcher(inbox, new EventDispatcher({ logger: silentLogger })).dispatch(p2Event(), 'ws');
    expect(await new Queue(queueName, { connection: client }).count()).toBe(1);
    await inbox.close();
    expect(client.status).toBe('ready');
  });
});
