import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { describePayload, freshen, hasExample, loadExample } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { AesCipher } from '../../src/transport/webhook/crypto.js';
import { decodeFrame, encodeFrame, FrameMethod, headerValue } from '../../src/transport/ws/index.js';
import type { Frame } from '../../src/transport/ws/index.js';
import { APP_ID, APP_SECRET, client, dispatcher, emulator, onCleanup, waitFor } from '../transport/ws/helpers.js';

interface EndpointAnswer {
  code: number;
  msg: string;
  data?: { URL: string; ClientConfig: Record<string, number> };
}

async function pullEndpoint(emu: Emulator, secret = APP_SECRET): Promise<EndpointAnswer> {
  const res = await fetch(`${emu.url}/callback/ws/endpoint`, { method: 'POST', headers: { 'content-type': 'application/json', locale: 'zh' }, body: JSON.stringify({ AppID: APP_ID, AppSecret: secret }) });
  return (await res.json()) as EndpointAnswer;
}

/** A bare protocol client: records frames, answers data frames with `answer` (or not at all). */
async function rawClient(emu: Emulator, answer?: (frame: Frame) => string | undefined): Promise<{ ws: WebSocket; frames: Frame[] }> {
  const ep = await pullEndpoint(emu);
  const ws = new WebSocket(ep.data!.URL);
  onCleanup(() => ws.terminate());
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer) => {
    const frame = decodeFrame(data);
    frames.push(frame);
    if (frame.method !== FrameMethod.data || !answer) return;
    const payload = answer(frame);
    if (payload !== undefined) ws.send(encodeFrame({ ...frame, headers: [...frame.headers, { key: 'biz_rt', value: '1' }], payload: Buffer.from(payload) }));
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const service = Number(new URL(ep.data!.URL).searchParams.get('service_id'));
  ws.send(encodeFrame({ SeqID: 0n, LogID: 0n, service, method: 0, headers: [{ key: 'type', value: 'ping' }] }));
  await waitFor(() => frames.some((f) => headerValue(f, 'type') === 'pong') || emu.connections().every((c) => c.ready), 1_000, 'ready');
  return { ws, frames };
}

function handshake(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders } | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('error', () => undefined);
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('unexpected-response', (req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      req.destroy();
    });
  });
}

describe('emulator: endpoint discovery and handshake', () => {
  it('hands out a URL with device_id, service_id and a ticket, plus the ClientConfig; refuses bad credentials', async () => {
    const emu = await emulator({ pingIntervalS: 90, reconnectCount: 5, reconnectIntervalS: 60, reconnectNonceS: 10 });
    const ok = await pullEndpoint(emu);
    expect(ok.code).toBe(0);
    const url = new URL(ok.data!.URL);
    expect(url.protocol).toBe('ws:');
    expect(url.searchParams.get('device_id')).toMatch(/^\d+$/);
    expect(Number(url.searchParams.get('service_id'))).toBe(emu.serviceId);
    expect(url.searchParams.get('ticket')).toMatch(/^[0-9a-f]{32}$/);
    expect(ok.data!.ClientConfig).toEqual({ PingInterval: 90, ReconnectCount: 5, ReconnectInterval: 60, ReconnectNonce: 10 });
    expect((await pullEndpoint(emu, 'nope')).code).toBe(10003);
  });

  it('refuses unknown or reused tickets with handshake-status 403, and connections over the limit', async () => {
    const emu = await emulator({ maxConnections: 1 });
    const ep = await pullEndpoint(emu);
    const forged = new URL(ep.data!.URL);
    forged.searchParams.set('ticket', 'f'.repeat(32));
    const refused = await handshake(forged.toString());
    expect(refused).not.toBe('open');
    if (refused !== 'open') expect(refused.headers['handshake-status']).toBe('403');
    expect(await handshake(ep.data!.URL)).toBe('open');
    const reused = await handshake(ep.data!.URL);
    expect(reused !== 'open' && reused.headers['handshake-status']).toBe('403');
    await waitFor(() => emu.connections().length === 0, 1_000, 'close');
    await rawClient(emu);
    expect((await pullEndpoint(emu)).code).toBe(1000040350);
  });

  it('answers pings with pongs carrying the config (or the override)', async () => {
    const emu = await emulator({ pingIntervalS: 7 });
    const { frames } = await rawClient(emu);
    await waitFor(() => frames.length > 0, 1_000, 'pong');
    const pong = frames[0]!;
    expect(headerValue(pong, 'type')).toBe('pong');
    expect(pong.method).toBe(0);
    expect(pong.service).toBe(emu.serviceId);
    expect(JSON.parse(Buffer.from(pong.payload!).toString())).toEqual({ PingInterval: 7, ReconnectCount: -1, ReconnectInterval: 0.05, ReconnectNonce: 0 });
  });
});

describe('emulator: deliveries over the long connection', () => {
  it('fragments large payloads by fragmentSize', async () => {
    const emu = await emulator({ fragmentSize: 100 });
    const { frames } = await rawClient(emu, () => '{"code":200}');
    const answer = await emu.trigger('im.message.receive_v1');
    expect(answer.code).toBe(200);
    const data = frames.filter((f) => f.method === FrameMethod.data);
    expect(data.length).toBeGreaterThan(5);
    expect(new Set(data.map((f) => headerValue(f, 'message_id'))).size).toBe(1);
    expect(data.map((f) => headerValue(f, 'seq'))).toEqual(data.map((_, i) => String(i)));
    expect(data.every((f) => headerValue(f, 'sum') === String(data.length) && headerValue(f, 'type') === 'event' && (f.payload?.length ?? 0) <= 100)).toBe(true);
    const joined = JSON.parse(Buffer.concat(data.map((f) => Buffer.from(f.payload!))).toString()) as { header: { event_id: string; app_id: string } };
    expect(joined.header.event_id).toBe(answer.id);
    expect(joined.header.app_id).toBe(APP_ID);
  });

  it('redelivers unanswered and failed deliveries on the schedule, at most 4 times, with the same event_id', async () => {
    const emu = await emulator({ answerTimeoutMs: 80, redeliveryScheduleMs: [30, 60, 90, 120, 1_000] });
    const ids: string[] = [];
    await rawClient(emu, (f) => {
      ids.push((JSON.parse(Buffer.from(f.payload!).toString()) as { header: { event_id: string } }).header.event_id);
      return ids.length % 2 === 0 ? '{"code":500}' : undefined;
    });
    const t0 = Date.now();
    const answer = await emu.trigger('im.message.receive_v1');
    expect(answer.attempts).toBe(5);
    expect(answer.code).not.toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(30 + 60 + 90 + 120);
    expect(new Set(ids)).toEqual(new Set([answer.id]));
    expect(ids).toHaveLength(5);
    expect(emu.stats()).toMatchObject({ redeliveries: 4, failed: 1 });
  });

  it('chaos drops follow a seeded sequence: the same seed drops the same sends', async () => {
    const run = async (seed: number) => {
      const emu = await emulator({ dropRate: 0.5, dropDelayMs: 0, seed, answerTimeoutMs: 2_000 });
      const c = client(emu);
      await c.start();
      const dropped: boolean[] = [];
      for (let i = 0; i < 16; i++) {
        const before = emu.stats().drops;
        await emu.trigger('im.message.receive_v1', { retries: 0 });
        dropped.push(emu.stats().drops > before);
      }
      await c.close();
      await emu.close();
      return dropped;
    };
    const first = await run(7);
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it('holds a delivery until a connection is up (within the answer deadline)', async () => {
    const emu = await emulator({ answerTimeoutMs: 1_000 });
    const pending = emu.trigger('im.message.receive_v1', { retries: 0 });
    const c = client(emu);
    await c.start();
    expect(await pending).toMatchObject({ code: 200, attempts: 1 });
    await c.close();
    emu.update({ answerTimeoutMs: 50 });
    expect(await emu.trigger('im.message.receive_v1', { retries: 0 })).toMatchObject({ code: 0, error: 'no open long connection' });
  });

  it('builds payloads from schema examples with fresh ids, or sends given payloads as they are', async () => {
    expect(hasExample('im.message.receive_v1')).toBe(true);
    expect(hasExample('message')).toBe(true);
    expect(hasExample('no.such.event_v9')).toBe(false);
    expect(() => loadExample('../package')).toThrow(/no schema example/);
    const a = freshen(loadExample('message'), { appId: 'cli_x', verificationToken: 'tok' });
    const b = freshen(loadExample('message'));
    expect(a.uuid).not.toBe(b.uuid);
    expect(a).toMatchObject({ token: 'tok', event: { app_id: 'cli_x', type: 'message' } });
    expect(describePayload(loadExample('card.action.trigger'))).toMatchObject({ eventType: 'card.action.trigger', callback: true });

    const emu = await emulator({ verificationToken: 'vt' });
    const seen: Array<{ id: string | undefined; token: unknown }> = [];
    const d = dispatcher().onUnknown((e, ctx) => {
      seen.push({ id: ctx.id, token: 'schema' in e ? e.header.token : e.token });
    });
    const c = client(emu, { dispatcher: d });
    await c.start();
    const x = await emu.trigger('vc.bot.meeting_ended_v1');
    const y = await emu.trigger('vc.bot.meeting_ended_v1');
    expect(x.id).not.toBe(y.id);
    const given = loadExample('message');
    const z = await emu.trigger(given);
    expect(z.id).toBe(given.uuid);
    expect(seen).toEqual([
      { id: x.id, token: 'vt' },
      { id: y.id, token: 'vt' },
      { id: given.uuid, token: given.token },
    ]);
    await expect(emu.trigger('no.such.event_v9')).rejects.toThrow(/no schema example/);
  });
});

describe('emulator: webhook pushes', () => {
  async function receiver(respond: (n: number, body: string, req: http.IncomingMessage, res: http.ServerResponse) => void) {
    let n = 0;
    const requests: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        requests.push({ headers: req.headers, body });
        respond(++n, body, req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onCleanup(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests };
  }

  it('encrypts and signs pushes, retries non-2xx answers and returns the callback response', async () => {
    const hook = await receiver((n, _body, _req, res) => {
      if (n === 1) res.writeHead(503).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"toast":{"type":"info","content":"hi"}}');
    });
    const emu = await emulator({ webhook: hook.url, encryptKey: 'ek', verificationToken: 'vt' });
    const answer = await emu.trigger('card.action.trigger', { via: 'webhook' });
    expect(answer).toMatchObject({ code: 200, attempts: 2, via: 'webhook', delivered_to: hook.url, data: { toast: { type: 'info', content: 'hi' } } });
    const req = hook.requests[1]!;
    const ts = req.headers['x-lark-request-timestamp'] as string;
    const nonce = req.headers['x-lark-request-nonce'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
    expect(req.headers['x-lark-signature']).toBe(createHash('sha256').update(ts + nonce + 'ek' + req.body).digest('hex'));
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    const wrapper = JSON.parse(req.body) as { encrypt: string };
    const plain = JSON.parse(new AesCipher('ek').decrypt(wrapper.encrypt)) as { header: { event_id: string; token: string } };
    expect(plain.header).toMatchObject({ event_id: answer.id, token: 'vt' });
  });

  it('sends plaintext without keys, gives up after the retries, and times out slow receivers', async () => {
    const hook = await receiver((n, _body, _req, res) => {
      if (n <= 3) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"handler failed"}');
      // later requests hang: the emulator's 3 s timeout (shortened here) applies
    });
    const emu = await emulator({ webhook: hook.url, webhookTimeoutMs: 100, redeliveryScheduleMs: [10, 10, 10, 10] });
    const answer = await emu.trigger('im.message.receive_v1', { via: 'webhook' });
    expect(answer.attempts).toBe(5);
    expect(answer.code).toBe(0);
    expect(answer.error).toMatch(/abort|timeout/i);
    expect(hook.requests[0]!.headers['x-lark-signature']).toBeUndefined();
    expect((JSON.parse(hook.requests[0]!.body) as { schema: string }).schema).toBe('2.0');
    const failed = await emu.trigger('im.message.receive_v1', { via: 'webhook', retries: 0 });
    expect(failed.attempts).toBe(1);
  });
});

describe('emulator: control endpoints', () => {
  it('trigger, stats, drop, settings, challenge; errors as JSON', async () => {
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { challenge?: string };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body.challenge ? { challenge: body.challenge } : {}));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => hook.close(() => r())));
    const emu = await emulator({ webhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` });
    const c = client(emu, { dispatcher: dispatcher().register_p2_card_action_trigger(() => ({ toast: { type: 'success' as const, content: 'ok' } })) });
    await c.start();
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const t = await post('/_emulator/trigger', { event_type: 'card.action.trigger' });
    expect(t).toMatchObject({ status: 200, body: { code: 200, data: { toast: { content: 'ok' } }, attempts: 1, delivered_to: c.deviceId } });
    const p = await post('/_emulator/trigger', { payload: loadExample('message'), via: 'ws' });
    expect(p.body).toMatchObject({ code: 200, event_type: 'message' });
    const w = await post('/_emulator/trigger', { event_type: 'im.message.receive_v1', via: 'webhook' });
    expect(w.body).toMatchObject({ code: 200, via: 'webhook' });
    expect((await post('/_emulator/trigger', { event_type: 'nope.nope_v1' })).status).toBe(400);
    expect((await post('/_emulator/trigger', {})).body.error).toMatch(/event_type/);
    expect((await post('/_emulator/trigger', { event_type: 'message', via: 'carrier-pigeon' })).status).toBe(400);
    expect((await post('/_emulator/trigger', { event_type: 'message', wait: 'later' })).status).toBe(400);
    expect((await post('/_emulator/trigger', { event_type: 'message', wait: 'first' })).body).toMatchObject({ code: 200, attempts: 1 });
    expect((await post('/_emulator/challenge', {})).body).toMatchObject({ ok: true, status: 200 });
    expect((await post('/_emulator/settings', { dropRate: 0, answerPings: false })).body).toMatchObject({ answerPings: false });
    expect((await post('/_emulator/settings', { dropRate: 'lots' })).status).toBe(400);
    expect((await post('/_emulator/settings', { shenanigans: true })).status).toBe(400);
    const stats = (await (await fetch(`${emu.url}/_emulator/stats`)).json()) as { triggers: number; connections: number; connection_list: unknown[] };
    expect(stats).toMatchObject({ triggers: 4, connections: 1 });
    expect(stats.connection_list).toHaveLength(1);
    expect((await post('/_emulator/drop', {})).body).toEqual({ dropped: 1 });
    expect((await post('/_emulator/nothing', {})).status).toBe(404);
    expect((await fetch(`${emu.url}/_emulator/trigger`)).status).toBe(405);
    const bad = await fetch(`${emu.url}/_emulator/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(bad.status).toBe(400);
  });

  /** A request with exactly these headers (fetch cannot set Host). */
  function request(emu: Emulator, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: emu.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('refuses what a web page could send: non-JSON content types, foreign origins and hosts, non-loopback webhooks', async () => {
    const emu = await emulator({ encryptKey: 'ek' });
    const settings = (headers: Record<string, string>, body: unknown) => request(emu, 'POST', '/_emulator/settings', headers, JSON.stringify(body));
    const json = { 'content-type': 'application/json' };
    const current = async () => JSON.parse((await settings(json, {})).body) as { webhook?: string };

    // A form or text/plain POST (no CORS preflight) never gets through.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect((await settings({ 'content-type': type }, { webhook: 'http://127.0.0.1:1/' })).status).toBe(415);
    }
    expect((await request(emu, 'POST', '/_emulator/trigger', {}, JSON.stringify({ event_type: 'message' }))).status).toBe(415);
    expect((await request(emu, 'POST', '/_emulator/trigger', { 'content-type': 'text/plain;charset=UTF-8' }, JSON.stringify({ event_type: 'message' }))).status).toBe(415);
    expect(emu.stats().triggers).toBe(0);

    // Cross-origin requests and DNS rebinding: 403.
    expect((await settings({ ...json, origin: 'https://evil.example' }, { answerPings: false })).status).toBe(403);
    expect((await settings({ ...json, origin: 'null' }, { answerPings: false })).status).toBe(403);
    expect((await settings({ ...json, host: `evil.example:${emu.port}` }, { answerPings: false })).status).toBe(403);
    expect((await request(emu, 'GET', '/_emulator/stats', { host: 'rebound.example' })).status).toBe(403);
    expect((await request(emu, 'POST', '/_emulator/trigger', { ...json, origin: 'http://evil.example' }, JSON.stringify({ event_type: 'message', via: 'webhook' }))).status).toBe(403);
    expect(emu.stats().triggers).toBe(0);

    // The webhook may only point at loopback.
    for (const webhook of ['http://evil.example/hook', 'https://10.0.0.1/hook', 'http://127.0.0.1.evil.example/', 'file:///etc/passwd', 'not a url']) {
      const res = await settings(json, { webhook });
      expect(res.status, webhook).toBe(400);
      expect(res.body).toMatch(/loopback|URL/);
    }
    expect((await current()).webhook).toBeUndefined();

    // The normal path: local tools, loopback origins and hosts.
    for (const webhook of ['http://127.0.0.1:9/a', 'http://localhost:9/b', 'http://[::1]:9/c']) {
      expect((await settings(json, { webhook })).status).toBe(200);
      expect((await current()).webhook).toBe(webhook);
    }
    expect((await settings({ 'content-type': 'application/json; charset=utf-8', origin: 'http://localhost:5173', host: `localhost:${emu.port}` }, { answerPings: false })).status).toBe(200);
    expect((await settings({ ...json, origin: 'http://[::1]:8080', host: '[::1]' }, { answerPings: true })).status).toBe(200);
    expect((await request(emu, 'GET', '/_emulator/stats', { host: `127.0.0.1:${emu.port}` })).status).toBe(200);
    // Settings given in code (or on the command line) are trusted.
    expect(() => emu.update({ webhook: 'http://hooks.internal:8080/lark' })).not.toThrow();
  });
});
