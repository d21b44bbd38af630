/** When the receiver answers: after the handler (default), before it (ackFirst), or at the timeout guard. */
import { describe, expect, it } from 'vitest';
import { EventDispatcher, MemoryIdempotencyStore, silentLogger } from '../../../src/index.js';
import { createWebhookHandler, DEFAULT_WEBHOOK_TIMEOUT_MS } from '../../../src/entries/webhook.js';
import type { DeliveryInfo } from '../../../src/entries/webhook.js';
import { cardAction, p2Message, parse, platformRequest, TOKEN } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('answer timing', () => {
  it('by default answers after the handler, 500 when it throws, and reports it to onError', async () => {
    const errors: [unknown, DeliveryInfo][] = [];
    const order: string[] = [];
    const d = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(async (e) => {
      await sleep(20);
      order.push('handler');
      if (e.header.event_id === 'bad') throw new Error('boom');
    });
    const h = createWebhookHandler(d, { verificationToken: TOKEN, logger: silentLogger, onError: (e, i) => errors.push([e, i]) });
    const ok = await h.handle(platformRequest(p2Message('good')));
    order.push('answer');
    expect(ok.status).toBe(200);
    expect(order).toEqual(['handler', 'answer']);
    const bad = await h.handle(platformRequest(p2Message('bad')));
    expect([bad.status, parse(bad.body)]).toEqual([500, { error: 'handler failed' }]);
    expect(errors).toHaveLength(1);
    expect((errors[0]![0] as Error).message).toBe('boom');
    expect(errors[0]![1]).toMatchObject({ eventType: 'im.message.receive_v1', id: 'bad', status: 'failed' });
  });

  it('ackFirst answers 200 before a slow handler finishes, then reports its failure to onError', async () => {
    const gate = deferred();
    const finished: string[] = [];
    const errors: DeliveryInfo[] = [];
    const d = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(async (e) => {
      await gate.promise;
      finished.push(e.header.event_id);
      if (e.header.event_id === 'slow-bad') throw new Error('late failure');
    });
    const h = createWebhookHandler(d, { verificationToken: TOKEN, ackFirst: true, logger: silentLogger, onError: (_e, i) => errors.push(i) });
    const r1 = await h.handle(platformRequest(p2Message('slow-ok')));
    const r2 = await h.handle(platformRequest(p2Message('slow-bad')));
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(finished).toEqual([]);
    gate.resolve();
    await h.drain();
    expect(finished).toEqual(['slow-ok', 'slow-bad']);
    expect(errors).toEqual([{ kind: 'p2', eventType: 'im.message.receive_v1', id: 'slow-bad', status: 'failed' }]);
  });

  it('ackFirst never applies to callbacks: their answer is the handler result', async () => {
    const d = new EventDispatcher({ logger: silentLogger }).register_p2_card_action_trigger(async () => {
      await sleep(30);
      return { toast: { type: 'info' as const, content: 'done' } };
    });
    const h = createWebhookHandler(d, { verificationToken: TOKEN, ackFirst: true, logger: silentLogger });
    const r = await h.handle(platformRequest(cardAction()));
    expect(parse(r.body)).toEqual({ toast: { type: 'info', content: 'done' } });
  });

  it('the timeout guard answers 503 before 3 s while the handler keeps running; the retry is not run twice', async () => {
    expect(DEFAULT_WEBHOOK_TIMEOUT_MS).toBe(2500);
    const gate = deferred();
    let runs = 0;
    const d = new EventDispatcher({ logger: silentLogger, idempotency: new MemoryIdempotencyStore() }).register_p2_im_message_receive_v1(async () => {
      runs++;
      await gate.promise;
    });
    const h = createWebhookHandler(d, { verificationToken: TOKEN, logger: silentLogger });
    const msg = p2Message('slow');
    const started = Date.now();
    const r = await h.handle(platformRequest(msg));
    const elapsed = Date.now() - started;
    expect([r.status, parse(r.body)]).toEqual([503, { error: 'handler timed out', timeoutMs: 2500 }]);
    expect(elapsed).toBeGreaterThanOrEqual(2400);
    expect(elapsed).toBeLessThan(3000);
    // A platform retry while the first run is still going: 409, not a second run.
    expect((await h.handle(platformRequest(msg))).status).toBe(409);
    gate.resolve();
    await h.drain();
    // After it finished: acknowledged as a duplicate.
    expect((await h.handle(platformRequest(msg))).status).toBe(200);
    expect(runs).toBe(1);
  });

  it('the timeout is configurable; a handler failing after the timeout goes to onError and stays retryable', async () => {
    const errors: DeliveryInfo[] = [];
    let calls = 0;
    const d = new EventDispatcher({ logger: silentLogger, idempotency: new MemoryIdempotencyStore() }).register_p2_im_message_receive_v1(async () => {
      calls++;
      if (calls === 1) {
        await sleep(150);
        throw new Error('slow and broken');
      }
    });
    const h = createWebhookHandler(d, { verificationToken: TOKEN, timeoutMs: 50, logger: silentLogger, onError: (_e, i) => errors.push(i) });
    const msg = p2Message('late-fail');
    expect((await h.handle(platformRequest(msg))).status).toBe(503);
    await h.drain();
    expect(errors.map((e) => e.status)).toEqual(['failed']);
    expect((await h.handle(platformRequest(msg))).status).toBe(200);
    expect(calls).toBe(2);
  });
});
