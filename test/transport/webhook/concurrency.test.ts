/** The webhook's bound on handlers running at once, answered or not (issue 12: 100 ran at once in the background). */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { EventDispatcher, LarkEventError, silentLogger } from '../../../src/index.js';
import { createNodeHandler, createWebhookHandler, DEFAULT_WEBHOOK_MAX_CONCURRENCY } from '../../../src/entries/webhook.js';
import { ConcurrencyLimit } from '../../../src/transport/webhook/concurrency.js';
import { challenge, closeServer, listen, p2Message, parse, platformRequest, send, TOKEN } from './helpers.js';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function gated() {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let running = 0;
  let peak = 0;
  const ran: string[] = [];
  const dispatcher = new EventDispatcher({ logger: silentLogger }).register_p2_im_message_receive_v1(async (e) => {
    running++;
    peak = Math.max(peak, running);
    ran.push(e.header.event_id);
    try {
      await gate;
      if (e.header.event_id.startsWith('bad')) throw new Error('boom');
    } finally {
      running--;
    }
  });
  return { dispatcher, open, ran, peak: () => peak, running: () => running };
}

describe('webhook maxConcurrency', () => {
  it('counts ackFirst handlers still running: beyond the bound it answers 503 with Retry-After and runs nothing', async () => {
    const g = gated();
    const h = createWebhookHandler(g.dispatcher, { verificationToken: TOKEN, ackFirst: true, maxConcurrency: 3, logger: silentLogger });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await h.handle(platformRequest(p2Message(`ev${i}`))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 503, 503]);
    expect(answers[3]!.headers['retry-after']).toBe('1');
    expect(parse(answers[3]!.body)).toEqual({ error: 'too many deliveries in progress, retry later', maxConcurrency: 3 });
    await until(() => g.running() === 3, 'three handlers');
    expect(g.ran).toEqual(['ev0', 'ev1', 'ev2']);
    expect(h.stats()).toEqual({ running: 3, peakRunning: 3, refused: 2 });
    g.open();
    await h.drain();
    // The slots are free again; the platform's retry of a refused delivery runs.
    expect((await h.handle(platformRequest(p2Message('ev3')))).status).toBe(200);
    await h.drain();
    expect(g.ran).toEqual(['ev0', 'ev1', 'ev2', 'ev3']);
    expect(g.peak()).toBe(3);
    expect(h.stats()).toEqual({ running: 0, peakRunning: 3, refused: 2 });
  });

  it('counts handlers still running after the 503 at timeoutMs, frees slots of failed handlers, and exempts challenges', async () => {
    const g = gated();
    const h = createWebhookHandler(g.dispatcher, { verificationToken: TOKEN, timeoutMs: 30, maxConcurrency: 2, logger: silentLogger });
    const timedOut = await Promise.all([h.handle(platformRequest(p2Message('bad1'))), h.handle(platformRequest(p2Message('slow')))]);
    expect(timedOut.map((a) => [a.status, parse(a.body).error])).toEqual([[503, 'handler timed out'], [503, 'handler timed out']]);
    const busy = await h.handle(platformRequest(p2Message('third')));
    expect([busy.status, parse(busy.body).error, busy.headers['retry-after']]).toEqual([503, 'too many deliveries in progress, retry later', '1']);
    const ch = await h.handle(platformRequest(challenge('c1')));
    expect([ch.status, parse(ch.body)]).toEqual([200, { challenge: 'c1' }]);
    await until(() => g.running() === 2, 'two handlers');
    g.open();
    await h.drain();
    expect(h.stats()).toMatchObject({ running: 0, refused: 1 });
    expect((await h.handle(platformRequest(p2Message('third')))).status).toBe(200);
  });

  it('sends the 503 and Retry-After over node:http', async () => {
    const g = gated();
    const server = http.createServer(createNodeHandler(g.dispatcher, { verificationToken: TOKEN, ackFirst: true, maxConcurrency: 1, logger: silentLogger }));
    const url = await listen(server);
    try {
      const body = (id: string) => JSON.stringify(p2Message(id));
      expect((await send(url, body('a'))).status).toBe(200);
      const refused = await send(url, body('b'));
      expect([refused.status, refused.headers['retry-after'], refused.json.error]).toEqual([503, '1', 'too many deliveries in progress, retry later']);
    } finally {
      g.open();
      await closeServer(server);
    }
  });

  it('defaults to 100, accepts false for no limit, and rejects anything but a positive integer', async () => {
    expect(DEFAULT_WEBHOOK_MAX_CONCURRENCY).toBe(100);
    const g = gated();
    const unbounded = createWebhookHandler(g.dispatcher, { verificationToken: TOKEN, ackFirst: true, maxConcurrency: false, logger: silentLogger });
    const answers = await Promise.all(Array.from({ length: 120 }, (_, i) => unbounded.handle(platformRequest(p2Message(`u${i}`)))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await until(() => g.running() === 120, '120 handlers');
    const bounded = createWebhookHandler(g.dispatcher, { verificationToken: TOKEN, ackFirst: true, maxConcurrency: undefined, logger: silentLogger });
    const statuses = await Promise.all(Array.from({ length: 101 }, (_, i) => bounded.handle(platformRequest(p2Message(`d${i}`))).then((a) => a.status)));
    expect(statuses.filter((s) => s === 503)).toHaveLength(1);
    g.open();
    await Promise.all([unbounded.drain(), bounded.drain()]);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createWebhookHandler(g.dispatcher, { verificationToken: TOKEN, maxConcurrency: bad }), String(bad)).toThrow(LarkEventError);
      expect(() => new ConcurrencyLimit(bad)).toThrow(/maxConcurrency must be a positive integer/);
    }
  });
});
