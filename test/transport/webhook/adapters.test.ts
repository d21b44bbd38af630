/** Each adapter with the real framework on loopback. */
import http from 'node:http';
import { serve } from '@hono/node-server';
import express from 'express';
// @ts-expect-error express4 is express@4 installed under an alias; @types/express describes v5.
import express4Untyped from 'express4';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';

const express4 = express4Untyped as typeof express;
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import { captureRawBody, createExpressMiddleware, createKoaMiddleware, createLegacyCardHandler, createNodeHandler, createWebHandler, createWebhookHandler, encrypt, encryptBody, fastifyWebhook, signRequest } from '../../../src/entries/webhook.js';
import type { WebhookOptions } from '../../../src/entries/webhook.js';
import { cardAction, challenge, closeServer, JSON_CT, KEY, listen, p2Message, recordingDispatcher, send, TOKEN, v1Message } from './helpers.js';

type Started = { url: string; close: () => Promise<void> };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function nodeServer(listener: http.RequestListener): Promise<Started> {
  const server = http.createServer(listener);
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

const PATH = '/webhook/event';
const base: WebhookOptions = { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger, maxBodyBytes: 16 * 1024 };

type Framework = (dispatcher: ReturnType<typeof recordingDispatcher>['dispatcher'], options: WebhookOptions) => Promise<Started>;

const frameworks: Record<string, Framework> = {
  'node:http': async (d, o) => nodeServer(createNodeHandler(d, { ...o, path: PATH })),
  'Web (Hono + @hono/node-server)': async (d, o) => {
    const app = new Hono();
    const handler = createWebHandler(d, o);
    app.all(PATH, (c) => handler(c.req.raw));
    app.get('/health', (c) => c.text('ok'));
    const server = await new Promise<http.Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as http.Server));
    });
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
  },
  'Express 5': async (d, o) => {
    const app = express();
    app.all(PATH, createExpressMiddleware(d, o));
    return nodeServer(app);
  },
  'Express 5 after express.json()': async (d, o) => {
    const app = express();
    app.use(express.json());
    app.all(PATH, createExpressMiddleware(d, o));
    return nodeServer(app);
  },
  'Express 4': async (d, o) => {
    const app = express4();
    app.all(PATH, createExpressMiddleware(d, o));
    return nodeServer(app as http.RequestListener);
  },
  'Express 4 after express.json()': async (d, o) => {
    const app = express4();
    app.use(express4.json());
    app.all(PATH, createExpressMiddleware(d, o));
    return nodeServer(app as http.RequestListener);
  },
  Koa: async (d, o) => {
    const app = new Koa();
    app.use(createKoaMiddleware(d, { ...o, path: PATH }));
    app.use((ctx) => {
      ctx.body = 'other';
    });
    return nodeServer(app.callback());
  },
  Fastify: async (d, o) => {
    const app = Fastify();
    await app.register(fastifyWebhook, { ...o, dispatcher: d, path: PATH });
    app.post('/json', async (req) => ({ echo: req.body }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
};

const signedEncrypted = (payload: object) => {
  const text = encryptBody(payload, KEY);
  return { text, headers: { ...JSON_CT, ...signRequest(text, KEY) } };
};

for (const [name, start] of Object.entries(frameworks)) {
  describe(name, () => {
    const boot = async (options: WebhookOptions = {}, dispatcherOptions = {}) => {
      const { dispatcher, rec } = recordingDispatcher(dispatcherOptions);
      const s = await start(dispatcher, { ...base, ...options });
      cleanups.push(s.close);
      return { url: s.url + PATH, root: s.url, rec };
    };

    it('answers challenges (encrypted and plain), dispatches encrypted+signed events, returns callback responses', async () => {
      const { url, rec } = await boot();
      const ch = await send(url, encryptBody(challenge('c-enc'), KEY));
      expect([ch.status, ch.json]).toEqual([200, { challenge: 'c-enc' }]);
      expect(ch.headers['content-type']).toMatch(/^application\/json/);
      expect((await send(url, JSON.stringify(challenge('c-plain')))).json).toEqual({ challenge: 'c-plain' });
      const ev = signedEncrypted(p2Message('ad-1'));
      expect((await send(url, ev.text, ev.headers)).status).toBe(200);
      const v1 = signedEncrypted(v1Message('ad-u'));
      expect((await send(url, v1.text, v1.headers)).status).toBe(200);
      const cb = signedEncrypted(cardAction('ad-card'));
      const r = await send(url, cb.text, cb.headers);
      expect([r.status, r.json]).toEqual([200, { toast: { type: 'success', content: 'clicked button' } }]);
      expect(rec.calls.map((c) => c.id)).toEqual(['ad-1', 'ad-u', 'ad-card']);
    });

    it('401 bad signature / token, 405, 415, 413, 400, each with a JSON body and nothing dispatched', async () => {
      const { url, rec } = await boot();
      const ev = signedEncrypted(p2Message('ad-bad'));
      const badSig = await send(url, ev.text, { ...ev.headers, 'x-lark-signature': '0'.repeat(64) });
      expect(badSig.status).toBe(401);
      expect(badSig.json).toMatchObject({ error: 'signature mismatch', header: 'X-Lark-Signature' });
      const unsigned = await send(url, ev.text);
      expect(unsigned.status).toBe(401);
      const m = p2Message();
      (m.header as Record<string, unknown>).token = 'forged';
      const forged = signedEncrypted(m);
      expect((await send(url, forged.text, forged.headers)).json).toEqual({ error: 'verification token mismatch', pointer: '/header/token' });
      const get = await send(url, '', {}, { method: 'GET' });
      expect([get.status, get.json.error]).toEqual([405, 'method not allowed']);
      const text = await send(url, ev.text, { ...ev.headers, 'content-type': 'text/plain' });
      expect([text.status, text.json.header]).toEqual([415, 'Content-Type']);
      const big = signedEncrypted({ ...p2Message(), pad: 'x'.repeat(20_000) });
      const tooBig = await send(url, big.text, big.headers);
      expect([tooBig.status, tooBig.json.limit]).toEqual([413, 16 * 1024]);
      const junk = '{"encrypt":"@@@"}';
      const bad = await send(url, junk, { ...JSON_CT, ...signRequest(junk, KEY) });
      expect([bad.status, bad.json.pointer]).toEqual([400, '/encrypt']);
      expect(rec.calls).toEqual([]);
    });

    it('reassembles multi-byte characters sent in 1-byte chunks (signed plaintext and token-only)', async () => {
      const msg = p2Message('chunks');
      ((msg.event as Record<string, Record<string, unknown>>).message!).content = JSON.stringify({ text: '你好，世界 — café 😀 𝄞' });
      // Compact, so that it verifies even where express.json() ran first (see the Express tests).
      const compact = JSON.stringify(msg);
      const signed = await boot();
      const r = await send(signed.url, compact, { ...JSON_CT, ...signRequest(compact, KEY) }, { chunkSize: 1 });
      expect(r.status).toBe(200);
      const content = (signed.rec.calls[0]!.payload as { event: { message: { content: string } } }).event.message.content;
      expect(JSON.parse(content)).toEqual({ text: '你好，世界 — café 😀 𝄞' });
      const tokenOnly = await boot({ encryptKey: undefined });
      expect((await send(tokenOnly.url, JSON.stringify(msg, null, 1), JSON_CT, { chunkSize: 1 })).status).toBe(200);
      expect(tokenOnly.rec.calls).toHaveLength(1);
    });

    it('500 when the handler throws', async () => {
      const { dispatcher } = recordingDispatcher({}, { fail: () => true });
      const s = await start(dispatcher, base);
      cleanups.push(s.close);
      const ev = signedEncrypted(p2Message('ad-throw'));
      const r = await send(s.url + PATH, ev.text, ev.headers);
      expect([r.status, r.json]).toEqual([500, { error: 'handler failed' }]);
    });
  });
}

describe('paths', () => {
  it('node:http answers 404 elsewhere; Koa and Express pass other paths on; Fastify leaves other routes their parsers', async () => {
    const { dispatcher } = recordingDispatcher();
    const n = await nodeServer(createNodeHandler(dispatcher, { ...base, path: PATH }));
    cleanups.push(n.close);
    const r = await send(n.url + '/elsewhere', '{}');
    expect([r.status, r.json]).toEqual([404, { error: 'not found' }]);

    const app = express();
    app.use(createExpressMiddleware(dispatcher, { ...base, path: PATH }));
    app.use((_req, res) => void res.status(299).send('next'));
    const e = await nodeServer(app);
    cleanups.push(e.close);
    expect((await send(e.url + '/elsewhere', '{}')).status).toBe(299);
    expect((await send(e.url + PATH, encryptBody(challenge('e'), KEY))).json).toEqual({ challenge: 'e' });

    const koa = new Koa();
    koa.use(createKoaMiddleware(dispatcher, { ...base, path: PATH }));
    koa.use((ctx) => {
      ctx.status = 299;
      ctx.body = 'next';
    });
    const k = await nodeServer(koa.callback());
    cleanups.push(k.close);
    expect((await send(k.url + '/elsewhere', '{}')).status).toBe(299);

    const f = Fastify();
    await f.register(fastifyWebhook, { ...base, dispatcher, path: '/event', prefix: '/lark' });
    f.post('/json', async (req) => ({ echo: req.body }));
    await f.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => f.close());
    const fu = `http://127.0.0.1:${(f.server.address() as { port: number }).port}`;
    expect((await send(fu + '/json', '{"a":1}')).json).toEqual({ echo: { a: 1 } });
    expect((await send(fu + '/lark/event', encryptBody(challenge('f'), KEY))).json).toEqual({ challenge: 'f' });
  });
});

describe('Express: the raw body still verifies with express.json() mounted first', () => {
  for (const [name, lib] of [['Express 5', express], ['Express 4', express4]] as const) {
    it(`${name}: compact encrypted wrapper verifies without help; odd bytes need captureRawBody, else fail closed with a hint`, async () => {
      const { dispatcher, rec } = recordingDispatcher();
      const plain = lib();
      plain.use(lib.json());
      plain.post(PATH, createExpressMiddleware(dispatcher, base));
      const withHook = lib();
      withHook.use(lib.json({ verify: captureRawBody }));
      withHook.post(PATH, createExpressMiddleware(dispatcher, base));
      const withRaw = lib();
      withRaw.use(lib.raw({ type: 'application/json' }));
      withRaw.post(PATH, createExpressMiddleware(dispatcher, base));
      const a = await nodeServer(plain as http.RequestListener);
      const b = await nodeServer(withHook as http.RequestListener);
      const raw = await nodeServer(withRaw as http.RequestListener);
      cleanups.push(a.close, b.close, raw.close);

      const ev = signedEncrypted(p2Message(`${name}-compact`));
      expect((await send(a.url + PATH, ev.text, ev.headers)).status).toBe(200);

      // The platform's bytes with other whitespace: only the raw bytes can verify them.
      const spaced = `{ "encrypt": ${JSON.stringify(encrypt(JSON.stringify(p2Message(`${name}-spaced`)), KEY))} }`;
      const headers = { ...JSON_CT, ...signRequest(spaced, KEY) };
      const closed = await send(a.url + PATH, spaced, headers);
      expect(closed.status).toBe(401);
      expect(String(closed.json.hint)).toMatch(/captureRawBody/);
      expect((await send(b.url + PATH, spaced, headers)).status).toBe(200);
      // express.raw() leaves the bytes themselves in req.body.
      const spacedRaw = `{ "encrypt": ${JSON.stringify(encrypt(JSON.stringify(p2Message(`${name}-raw`)), KEY))} }`;
      expect((await send(raw.url + PATH, spacedRaw, { ...JSON_CT, ...signRequest(spacedRaw, KEY) })).status).toBe(200);
      expect(rec.calls.map((c) => c.id)).toEqual([`${name}-compact`, `${name}-spaced`, `${name}-raw`]);

      // Token-only (no Encrypt Key): the parsed body is used as is.
      const { dispatcher: d2, rec: rec2 } = recordingDispatcher();
      const tokenOnly = lib();
      tokenOnly.use(lib.json());
      tokenOnly.post(PATH, createExpressMiddleware(d2, { ...base, encryptKey: undefined }));
      const c = await nodeServer(tokenOnly as http.RequestListener);
      cleanups.push(c.close);
      expect((await send(c.url + PATH, JSON.stringify(p2Message('tok')))).status).toBe(200);
      expect((await send(c.url + PATH, JSON.stringify(challenge('cc')))).json).toEqual({ challenge: 'cc' });
      expect(rec2.calls.map((x) => x.id)).toEqual(['tok']);
    });
  }
});

describe('Koa after a body parser', () => {
  it('uses ctx.request.rawBody when a parser kept it, else verifies the parsed body', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    // Stand-in for koa-bodyparser: reads the stream, sets request.body and (optionally) request.rawBody.
    const parser = (keepRaw: boolean): Koa.Middleware => async (ctx, next) => {
      const chunks: Buffer[] = [];
      for await (const c of ctx.req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      (ctx.request as unknown as { body: unknown }).body = JSON.parse(text);
      if (keepRaw) (ctx.request as unknown as { rawBody: string }).rawBody = text;
      await next();
    };
    const servers = [];
    for (const keepRaw of [true, false]) {
      const app = new Koa();
      app.use(parser(keepRaw));
      app.use(createKoaMiddleware(dispatcher, { ...base, path: PATH }));
      servers.push(await nodeServer(app.callback()));
    }
    cleanups.push(...servers.map((s) => s.close));
    const spaced = `{ "encrypt": ${JSON.stringify(encrypt(JSON.stringify(p2Message('koa-raw')), KEY))} }`;
    expect((await send(servers[0]!.url + PATH, spaced, { ...JSON_CT, ...signRequest(spaced, KEY) })).status).toBe(200);
    const ev = signedEncrypted(p2Message('koa-parsed'));
    expect((await send(servers[1]!.url + PATH, ev.text, ev.headers)).status).toBe(200);
    expect(rec.calls.map((c) => c.id)).toEqual(['koa-raw', 'koa-parsed']);
  });
});

describe('a ready handler in an adapter', () => {
  it('serves legacy card actions through createNodeHandler and createWebHandler', async () => {
    const card = createLegacyCardHandler((a) => ({ toast: { type: 'info', content: String(a.action.value?.n) } }), { verificationToken: TOKEN, path: '/card', logger: silentLogger });
    const n = await nodeServer(createNodeHandler(card));
    cleanups.push(n.close);
    const body = JSON.stringify({ open_id: 'ou_1', token: 'c-1', action: { value: { n: 7 }, tag: 'button' } });
    const r = await send(n.url + '/card', body, { ...JSON_CT, ...signRequest(body, TOKEN, { algorithm: 'sha1' }) });
    expect(r.json).toEqual({ toast: { type: 'info', content: '7' } });
    const web = createWebHandler(card);
    const res = await web(new Request('http://x/card', { method: 'POST', headers: { ...JSON_CT, ...signRequest(body, TOKEN, { algorithm: 'sha1' }) }, body }));
    expect(await res.json()).toEqual({ toast: { type: 'info', content: '7' } });
    expect(() => createWebHandler(createWebhookHandler(recordingDispatcher().dispatcher, base), base)).toThrow(/options/);
  });

  it('enforces the body limit while reading a chunked body with no Content-Length', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const n = await nodeServer(createNodeHandler(dispatcher, { ...base, maxBodyBytes: 2048 }));
    cleanups.push(n.close);
    const r = await send(n.url + PATH, '{"pad":"' + 'x'.repeat(10_000) + '"}', JSON_CT, { chunkSize: 1024 });
    expect([r.status, r.headers.connection]).toEqual([413, 'close']);
    expect(rec.calls).toEqual([]);
  });
});
