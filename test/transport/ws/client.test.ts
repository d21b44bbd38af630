import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventDispatcher, LarkEventError, silentLogger } from '../../../src/index.js';
import type { AnswerInfo, PingInfo } from '../../../src/emulator/index.js';
import { loadExample } from '../../../src/emulator/index.js';
import { FrameMethod, headerValue, WSClient, WSConnectError, WSOptionError } from '../../../src/transport/ws/index.js';
import type { Frame, ReconnectingInfo, StateInfo } from '../../../src/transport/ws/index.js';
import { createDispatcherClass, catalogSource } from '../../../src/runtime/domain.js';
import { catalog, loadDomain } from '../../../src/catalog.js';
import type { AllRegistrations } from '../../../generated/index.js';
import type { DispatchOutcome } from '../../../src/index.js';
import { APP_ID, APP_SECRET, captureLogger, client, deferred, dispatcher, emulator, onCleanup, sleep, waitFor } from './helpers.js';

const enc = new TextEncoder();

function frames(type: string, messageId: string, payload: Uint8Array, parts: Array<[sum: string, seq: string, from: number, to: number]>, serviceId: number): Frame[] {
  return parts.map(([sum, seq, from, to]) => ({
    SeqID: 4242n,
    LogID: 777n,
    service: serviceId,
    method: FrameMethod.data,
    headers: [{ key: 'type', value: type }, { key: 'message_id', value: messageId }, { key: 'sum', value: sum }, { key: 'seq', value: seq }, { key: 'trace_id', value: 't1' }],
    payload: payload.subarray(from, to),
  }));
}

function answerPayload(frame: Frame | undefined): { code?: number; data?: string } {
  return JSON.parse(Buffer.from(frame?.payload ?? []).toString('utf8')) as { code?: number; data?: string };
}

describe('WSClient: options', () => {
  it('rejects invalid options with a WSOptionError (a LarkEventError) naming the option', () => {
    const d = dispatcher();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['appId', { appId: '' }],
      ['appSecret', { appSecret: undefined }],
      ['dispatcher', { dispatcher: {} }],
      ['maxConcurrency', { maxConcurrency: 0 }],
      ['connectTimeoutMs', { connectTimeoutMs: -1 }],
      ['maxQueue', { maxQueue: -1 }],
      ['maxQueue', { maxQueue: 1.5 }],
      ['answerDeadlineMs', { answerDeadlineMs: 0 }],
      ['answerDeadlineMs', { answerDeadlineMs: Number.NaN }],
    ];
    for (const [option, override] of cases) {
      let error: unknown;
      try {
        new WSClient({ appId: APP_ID, appSecret: APP_SECRET, dispatcher: d, ...override } as ConstructorParameters<typeof WSClient>[0]);
      } catch (err) {
        error = err;
      }
      expect(error, option).toBeInstanceOf(WSOptionError);
      expect(error, option).toBeInstanceOf(LarkEventError);
      expect(error, option).toMatchObject({ name: 'WSOptionError', option, message: expect.stringContaining(option) });
    }
  });
});

describe('WSClient: connecting', () => {
  it('start() resolves once connected and reports connecting → connected; close() reports closing → closed', async () => {
    const emu = await emulator();
    const c = client(emu);
    expect(c.state).toBe('idle');
    await c.start();
    expect(c.state).toBe('connected');
    expect(emu.connections()).toHaveLength(1);
    expect(c.deviceId).toBe(emu.connections()[0]?.deviceId);
    await c.close();
    expect(c.states).toEqual(['connecting', 'connected', 'closing', 'closed']);
    await waitFor(() => emu.connections().length === 0, 2_000, 'the socket to close');
  });

  it('start() rejects on wrong credentials (a fatal endpoint code) and the state is failed', async () => {
    const emu = await emulator();
    const c = client(emu, { appSecret: 'wrong' });
    const error: unknown = await c.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WSConnectError);
    expect(error).toBeInstanceOf(LarkEventError);
    expect(error).toMatchObject({ name: 'WSConnectError', fatal: true, code: 10003, message: expect.stringMatching(/code 10003/) });
    expect(c.states).toEqual(['connecting', 'failed']);
    expect(emu.stats().endpointRequests).toBe(1);
  });

  it.each([
    [1, 'retry'],
    [1000040343, 'retry'],
    [1000040350, 'fatal'],
    [42, 'fatal'],
  ])('endpoint code %i: %s', async (code, expected) => {
    const emu = await emulator();
    emu.failEndpoint(code, 2);
    const c = client(emu);
    if (expected === 'retry') {
      await c.start();
      expect(emu.stats().endpointRequests).toBe(3);
      expect(c.state).toBe('connected');
    } else {
      await expect(c.start()).rejects.toThrow(new RegExp(`code ${code}`));
      expect(emu.stats().endpointRequests).toBe(1);
      expect(c.state).toBe('failed');
    }
  });

  it('connectTimeoutMs: start() rejects (state failed) when not connected in time, naming the last failure; a connection in time is kept', async () => {
    const emu = await emulator();
    emu.failEndpoint(1, 1_000_000);
    const c = client(emu, { connectTimeoutMs: 300 });
    const started = Date.now();
    const error: unknown = await c.start().catch((err: unknown) => err);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toBeInstanceOf(WSConnectError);
    expect(error).toMatchObject({ fatal: true, message: expect.stringMatching(/^not connected within 300 ms: .*code 1\b/) });
    expect((error as Error).cause).toBeInstanceOf(Error);
    // Each failed attempt is a `reconnecting` state; the limit ends them.
    expect(c.states[0]).toBe('connecting');
    expect(c.states.at(-1)).toBe('failed');
    expect(c.states.slice(1, -1).length).toBeGreaterThan(0);
    expect(new Set(c.states.slice(1, -1))).toEqual(new Set(['reconnecting']));
    const requests = emu.stats().endpointRequests;
    expect(requests).toBeGreaterThan(1);
    await sleep(100);
    expect(emu.stats().endpointRequests, 'no attempt after giving up').toBe(requests);

    const ok = await emulator();
    const d = client(ok, { connectTimeoutMs: 200 });
    await d.start();
    await sleep(400);
    expect(d.state).toBe('connected');
    expect(d.states).toEqual(['connecting', 'connected']);
  });

  it('retries HTTP errors and network failures of the endpoint', async () => {
    const emu = await emulator();
    let calls = 0;
    // A front that fails twice with HTTP 502, then forwards to the emulator.
    const front = http.createServer((req, res) => {
      calls++;
      if (calls <= 2) {
        res.writeHead(502).end('bad gateway');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void fetch(`${emu.url}${req.url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
          .then((r) => r.text())
          .then((text) => res.writeHead(200, { 'content-type': 'application/json' }).end(text));
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => front.close(() => r())));
    const viaFront = client(emu, { domain: `http://127.0.0.1:${(front.address() as AddressInfo).port}` });
    await viaFront.start();
    expect(calls).toBe(3);

    // Nothing listens on the port yet: connection refused, retried until the emulator comes up.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const late = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: `http://127.0.0.1:${port}`, dispatcher: dispatcher(), logger: silentLogger, reconnectBaseMs: 20 });
    onCleanup(() => late.close());
    const started = late.start();
    await sleep(150);
    expect(late.state).toBe('reconnecting');
    const emu2 = await emulator({ port });
    await started;
    expect(late.state).toBe('connected');
    expect(emu2.connections()).toHaveLength(1);
  });

  it.each([
    [{ status: 403 }, 'fatal'],
    [{ status: 514, authErrCode: 1000040350 }, 'fatal'],
    [{ status: 514, authErrCode: 1000040343 }, 'retry'],
    [{ status: 500 }, 'retry'],
  ])('handshake failure %j: %s', async (failure, expected) => {
    const emu = await emulator();
    emu.failHandshake(failure, 1);
    const c = client(emu);
    if (expected === 'fatal') {
      await expect(c.start()).rejects.toThrow(new RegExp(`handshake-status ${failure.status}`));
      expect(c.state).toBe('failed');
      expect(emu.stats().endpointRequests).toBe(1);
    } else {
      await c.start();
      expect(emu.stats().refusedHandshakes).toBe(1);
      expect(emu.stats().endpointRequests).toBe(2);
    }
  });

  it('reconnects with a fresh endpoint pull after the server drops the connection', async () => {
    const emu = await emulator();
    const c = client(emu);
    await c.start();
    const first = c.deviceId;
    expect(emu.dropConnections()).toBe(1);
    await waitFor(() => c.state === 'connected' && c.deviceId !== first, 3_000, 'reconnect');
    expect(c.states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(emu.stats().endpointRequests).toBe(2);
    expect((await emu.trigger('im.message.receive_v1')).code).toBe(200);
  });

  it('backs off between failed reconnects within ReconnectInterval and gives up after ReconnectCount', async () => {
    const emu = await emulator({ reconnectCount: 4, reconnectIntervalS: 0.2, reconnectNonceS: 0 });
    const c = client(emu, { reconnectBaseMs: 40 });
    await c.start();
    const times: number[] = [];
    emu.on('endpoint', () => times.push(Date.now()));
    emu.failEndpoint(1, 100);
    const failed = new Promise<Error | undefined>((resolve) => c.on('state', (s, info) => s === 'failed' && resolve(info.error)));
    emu.dropConnections();
    const error = await failed;
    expect(error?.message).toMatch(/after 4 attempts/);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // Attempt 2 waits 20–40 ms, attempt 3 40–80 ms, attempt 4 80–160 ms (all capped by the 200 ms interval).
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(75);
    for (const g of gaps) expect(g).toBeLessThan(600);
    expect(c.states.at(-1)).toBe('failed');
  });
});

describe('WSClient: keep-alive', () => {
  it('pings right after connecting, before any other frame, with SeqID 0, LogID 0, the service_id and method 0', async () => {
    // PingInterval 30 s: a ping within the test can only be the one sent on connecting.
    const emu = await emulator({ pingIntervalS: 30 });
    const pings: PingInfo[] = [];
    emu.on('ping', (p) => pings.push(p));
    const c = client(emu);
    await c.start();
    await waitFor(() => pings.length >= 1, 2_000, 'the first ping');
    expect(emu.connections()[0]?.pings).toBe(1);
    const f = pings[0]!.frame;
    expect(f.SeqID).toBe(0n);
    expect(f.LogID).toBe(0n);
    expect(f.service).toBe(emu.serviceId);
    expect(f.method).toBe(0);
    expect(f.headers).toEqual([{ key: 'type', value: 'ping' }]);
  });

  it('keeps pinging every PingInterval, never faster', async () => {
    const emu = await emulator({ pingIntervalS: 0.05 });
    const pings: PingInfo[] = [];
    emu.on('ping', (p) => pings.push(p));
    const c = client(emu);
    await c.start();
    await waitFor(() => pings.length >= 4, 5_000, 'pings on the interval');
    const gaps = pings.slice(1).map((p, i) => p.at - pings[i]!.at);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(45);
  });

  it('takes the config from pongs', async () => {
    // The endpoint says 30 s; the pong to the first ping says 50 ms: further pings only come if the client took it.
    const emu = await emulator({ pingIntervalS: 30, pongConfig: { PingInterval: 0.05, ReconnectCount: 7, ReconnectInterval: 2, ReconnectNonce: 1 } });
    const pings: PingInfo[] = [];
    emu.on('ping', (p) => pings.push(p));
    const c = client(emu);
    await c.start();
    expect(c.config.pingIntervalMs).toBe(30_000);
    await waitFor(() => c.config.pingIntervalMs === 50, 2_000, 'the pong config');
    expect(c.config).toEqual({ pingIntervalMs: 50, reconnectCount: 7, reconnectIntervalMs: 2_000, reconnectNonceMs: 1_000 });
    await waitFor(() => pings.length >= 4, 5_000, 'pings on the new interval');
  });

  it('ignores invalid pong config fields and keeps pinging on the old interval', async () => {
    const emu = await emulator({ pingIntervalS: 0.05, pongConfig: { PingInterval: 'NaN', ReconnectCount: null, ReconnectInterval: -1 } });
    const log = captureLogger();
    const pings: PingInfo[] = [];
    emu.on('ping', (p) => pings.push(p));
    const c = client(emu, { logger: log });
    await c.start();
    await waitFor(() => pings.length >= 4, 5_000, 'pings');
    expect(c.config).toEqual({ pingIntervalMs: 50, reconnectCount: -1, reconnectIntervalMs: 50, reconnectNonceMs: 0 });
    expect(log.lines.some((l) => /ignored invalid pong config fields: PingInterval, ReconnectCount, ReconnectInterval/.test(l))).toBe(true);
    emu.update({ pongConfig: 'not an object' });
    await sleep(150);
    expect(c.config.pingIntervalMs).toBe(50);
  });

  it('reconnects when pongs stop (half-open connection)', async () => {
    const emu = await emulator({ pingIntervalS: 0.05, answerPings: false });
    const log = captureLogger();
    const c = client(emu, { pingTimeoutMs: 150, logger: log });
    await c.start();
    const first = c.deviceId;
    await new Promise((resolve) => emu.once('disconnect', resolve));
    emu.update({ answerPings: true });
    await waitFor(() => c.deviceId !== undefined && c.deviceId !== first && c.state === 'connected', 3_000, 'reconnect after silence');
    expect(c.states).toContain('reconnecting');
    expect(log.lines.some((l) => /nothing received within 150 ms/.test(l))).toBe(true);
    // With pongs flowing again the new connection stays up.
    const second = c.deviceId;
    await sleep(400);
    expect(c.deviceId).toBe(second);
  });

  it('keeps a healthy idle connection whose pongs arrive', async () => {
    const emu = await emulator({ pingIntervalS: 0.05 });
    const c = client(emu, { pingTimeoutMs: 300 });
    await c.start();
    const id = c.deviceId;
    await sleep(700);
    expect(c.deviceId).toBe(id);
    expect(c.states).toEqual(['connecting', 'connected']);
  });
});

describe('WSClient: deliveries', () => {
  it('answers with the received frame plus a non-negative biz_rt and {"code":200}', async () => {
    const emu = await emulator();
    const answers: AnswerInfo[] = [];
    emu.on('answer', (a) => answers.push(a));
    const seen: string[] = [];
    const d = dispatcher().register_p2_im_message_receive_v1(async (e, ctx) => {
      await sleep(20);
      seen.push(`${ctx.transport}:${e.header.event_id}`);
    });
    const c = client(emu, { dispatcher: d });
    await c.start();
    const payload = enc.encode(JSON.stringify(loadExample('im.message.receive_v1')));
    const sent = frames('event', 'mid-1', payload, [['1', '0', 0, payload.length]], emu.serviceId);
    const answer = await emu.sendFrames(sent);
    expect(answer).toBeDefined();
    expect(answer!.SeqID).toBe(4242n);
    expect(answer!.LogID).toBe(777n);
    expect(answer!.service).toBe(emu.serviceId);
    expect(answer!.method).toBe(1);
    expect(answer!.headers.slice(0, -1)).toEqual(sent[0]!.headers);
    expect(answer!.headers.at(-1)?.key).toBe('biz_rt');
    const bizRt = Number(headerValue(answer!, 'biz_rt'));
    expect(Number.isInteger(bizRt)).toBe(true);
    expect(bizRt).toBeGreaterThanOrEqual(15);
    expect(answerPayload(answer)).toEqual({ code: 200 });
    expect(seen).toEqual(['ws:5e3702a84e847582be8db7fb73283c02']);
    const triggered = await emu.trigger('im.message.receive_v1');
    expect(triggered).toMatchObject({ code: 200, attempts: 1, via: 'ws', delivered_to: c.deviceId });
    expect(answers.every((a) => Number(headerValue(a.frame, 'biz_rt')) >= 0)).toBe(true);
  });

  it('returns a callback response base64-encoded in data', async () => {
    const emu = await emulator();
    const answers: AnswerInfo[] = [];
    emu.on('answer', (a) => answers.push(a));
    const d = dispatcher().register_p2_card_action_trigger((e) => ({ toast: { type: 'info' as const, content: `hello ${e.event.operator.open_id}` } }));
    const c = client(emu, { dispatcher: d });
    await c.start();
    const result = await emu.trigger('card.action.trigger');
    expect(result.code).toBe(200);
    expect(result.data).toEqual({ toast: { type: 'info', content: 'hello ou_3c14f3a59eaf2825dbe25359f15ac3a0' } });
    const raw = answers[0]!.answer.data;
    expect(typeof raw).toBe('string');
    expect(JSON.parse(Buffer.from(raw as string, 'base64').toString('utf8'))).toEqual(result.data);
  });

  it('answers 500 when a handler throws, and the platform redelivers', async () => {
    const emu = await emulator();
    let calls = 0;
    const d = dispatcher().register_p2_im_message_receive_v1(() => {
      calls++;
      if (calls < 3) throw new Error('boom');
    });
    const c = client(emu, { dispatcher: d });
    await c.start();
    expect(await emu.trigger('im.message.receive_v1', { retries: 0 })).toMatchObject({ code: 500, attempts: 1, error: 'answered code 500' });
    const again = await emu.trigger('im.message.receive_v1');
    expect(again).toMatchObject({ code: 200, attempts: 2 });
    expect(calls).toBe(3);
  });

  it('answers 500 when the dispatcher rejects the payload or the dispatcher itself throws', async () => {
    const emu = await emulator();
    const strict = new EventDispatcher({ logger: silentLogger, validation: 'reject' }).register_p2_im_message_receive_v1(() => undefined);
    const c = client(emu, { dispatcher: strict });
    await c.start();
    const bad = loadExample('im.message.receive_v1');
    (bad.event as { message: unknown }).message = 'not an object';
    expect((await emu.trigger(bad, { retries: 0 })).code).toBe(500);
    expect((await emu.trigger({ not: 'an event' }, { retries: 0 })).code).toBe(500);
    await c.close();

    const throwing = client(emu, { dispatcher: { dispatch: () => Promise.reject(new Error('broken dispatcher')) } });
    await throwing.start();
    expect((await emu.trigger('im.message.receive_v1', { retries: 0 })).code).toBe(500);
  });

  it('answers type=card frames through the same dispatcher', async () => {
    const emu = await emulator();
    const d = dispatcher().register_p2_card_action_trigger(() => ({ toast: { type: 'success' as const, content: 'card ok' } }));
    const c = client(emu, { dispatcher: d });
    await c.start();
    const payload = enc.encode(JSON.stringify(loadExample('card.action.trigger')));
    const answer = await emu.sendFrames(frames('card', 'card-1', payload, [['1', '0', 0, payload.length]], emu.serviceId));
    const body = answerPayload(answer);
    expect(body.code).toBe(200);
    expect(JSON.parse(Buffer.from(body.data ?? '', 'base64').toString('utf8'))).toEqual({ toast: { type: 'success', content: 'card ok' } });
    // A legacy card body the dispatcher cannot route still gets an answer instead of silence.
    const legacy = enc.encode(JSON.stringify({ open_id: 'ou_1', action: { value: {}, tag: 'button' } }));
    expect(answerPayload(await emu.sendFrames(frames('card', 'card-2', legacy, [['1', '0', 0, legacy.length]], emu.serviceId)))).toEqual({ code: 500 });
  });

  it('reassembles split payloads (the emulator fragments, in and out of order) and answers the last fragment', async () => {
    const emu = await emulator({ fragmentSize: 64 });
    const seen: string[] = [];
    const d = dispatcher().register_p2_im_message_receive_v1((e) => {
      seen.push(e.event.message?.content ?? '');
    });
    const c = client(emu, { dispatcher: d });
    await c.start();
    expect((await emu.trigger('im.message.receive_v1')).code).toBe(200);
    expect(emu.stats().framesSent).toBeGreaterThan(10);
    const payload = enc.encode(JSON.stringify(loadExample('im.message.receive_v1')));
    const n = payload.length;
    const out = frames('event', 'split-1', payload, [['3', '2', Math.floor((2 * n) / 3), n], ['3', '0', 0, Math.floor(n / 3)], ['3', '1', Math.floor(n / 3), Math.floor((2 * n) / 3)]], emu.serviceId);
    const answer = await emu.sendFrames(out);
    expect(answerPayload(answer).code).toBe(200);
    expect(headerValue(answer!, 'seq')).toBe('1');
    expect(seen).toHaveLength(2);
  });

  it('drops fragments with invalid sum/seq and incomplete messages after the TTL', async () => {
    const emu = await emulator();
    let calls = 0;
    const d = dispatcher().register_p2_im_message_receive_v1(() => {
      calls++;
    });
    const log = captureLogger();
    const c = client(emu, { dispatcher: d, logger: log, fragmentTtlMs: 200 });
    await c.start();
    const payload = enc.encode(JSON.stringify(loadExample('im.message.receive_v1')));
    const n = payload.length;
    const half = Math.floor(n / 2);
    for (const [sum, seq] of [['2', '2'], ['2', '-1'], ['0', '0'], ['x', '0'], ['2', '0.5']] as const) {
      expect(await emu.sendFrames(frames('event', `bad-${sum}-${seq}`, payload, [[sum, seq, 0, n]], emu.serviceId), { timeoutMs: 150 })).toBeUndefined();
    }
    expect(log.lines.filter((l) => /fragment dropped: invalid (sum|seq)/.test(l))).toHaveLength(5);
    // Fragments disagreeing on sum.
    expect(await emu.sendFrames(frames('event', 'mismatch', payload, [['2', '0', 0, half], ['3', '1', half, n]], emu.serviceId), { timeoutMs: 150 })).toBeUndefined();
    // First half, then the second half after the TTL: the first half is gone.
    const [a, b] = frames('event', 'late', payload, [['2', '0', 0, half], ['2', '1', half, n]], emu.serviceId);
    expect(await emu.sendFrames([a!], { timeoutMs: 50 })).toBeUndefined();
    await sleep(500);
    expect(await emu.sendFrames([b!], { timeoutMs: 150 })).toBeUndefined();
    expect(calls).toBe(0);
    // The connection still works.
    expect(answerPayload(await emu.sendFrames(frames('event', 'good', payload, [['2', '0', 0, half], ['2', '1', half, n]], emu.serviceId))).code).toBe(200);
    expect(calls).toBe(1);
  });

  it('ignores undecodable frames and unknown data types without dropping the connection', async () => {
    const emu = await emulator();
    const log = captureLogger();
    const c = client(emu, { logger: log });
    await c.start();
    const payload = enc.encode('{}');
    expect(await emu.sendFrames(frames('mystery', 'm-1', payload, [['1', '0', 0, 2]], emu.serviceId), { timeoutMs: 100 })).toBeUndefined();
    expect(log.lines.some((l) => /unknown type "mystery"/.test(l))).toBe(true);
    expect((await emu.trigger('im.message.receive_v1')).code).toBe(200);
  });

  it('spreads deliveries over connections (cluster mode) and negotiates compression', async () => {
    const emu = await emulator({ compress: true });
    const byClient = [0, 0];
    const make = (i: number) =>
      client(emu, {
        dispatcher: dispatcher().register_p2_im_message_receive_v1(() => {
          byClient[i]!++;
        }),
      });
    const a = make(0);
    const b = make(1);
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => emu.connections().filter((x) => x.ready).length === 2, 2_000, 'both connections ready');
    expect(emu.connections().every((x) => x.compressed)).toBe(true);
    const results = await Promise.all(Array.from({ length: 60 }, () => emu.trigger('im.message.receive_v1')));
    expect(results.every((r) => r.code === 200 && r.attempts === 1)).toBe(true);
    expect(byClient[0]! + byClient[1]!).toBe(60);
    expect(byClient[0]).toBeGreaterThan(5);
    expect(byClient[1]).toBeGreaterThan(5);
  });

  it('runs at most maxConcurrency handlers at once and queues the rest', async () => {
    const emu = await emulator();
    let running = 0;
    let peak = 0;
    let done = 0;
    const gate = deferred();
    const d = dispatcher().register_p2_im_message_receive_v1(async () => {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      running--;
      done++;
    });
    const c = client(emu, { dispatcher: d, maxConcurrency: 3 });
    await c.start();
    const all = Promise.all(Array.from({ length: 10 }, () => emu.trigger('im.message.receive_v1')));
    await waitFor(() => c.pending === 10, 2_000, 'ten deliveries');
    expect(running).toBe(3);
    gate.resolve();
    const results = await all;
    expect(results.every((r) => r.code === 200)).toBe(true);
    expect(peak).toBe(3);
    expect(done).toBe(10);
  });
});

describe('WSClient: bounds', () => {
  /** One push of an event: a frame with its own message_id (a redelivery gets a new one), the event id inside. */
  function push(emu: Awaited<ReturnType<typeof emulator>>, messageId: string, eventId: string): Frame[] {
    const event = loadExample('im.message.receive_v1') as { header: { event_id: string } };
    event.header.event_id = eventId;
    const payload = enc.encode(JSON.stringify(event));
    return frames('event', messageId, payload, [['1', '0', 0, payload.length]], emu.serviceId);
  }

  it('coalesces a redelivered copy of a running event: the handler runs once, the copy gets its answer', async () => {
    const emu = await emulator();
    const gate = deferred();
    const runs: string[] = [];
    const d = dispatcher().register_p2_im_message_receive_v1(async (e) => {
      runs.push(e.header.event_id);
      await gate.promise;
    });
    const c = client(emu, { dispatcher: d, maxConcurrency: 4 });
    await c.start();
    const first = emu.sendFrames(push(emu, 'push-1', 'ev_copy'), { timeoutMs: 1_000 });
    await waitFor(() => runs.length === 1, 2_000, 'the first push to run');
    const copy = emu.sendFrames(push(emu, 'push-2', 'ev_copy'), { timeoutMs: 5_000 });
    await waitFor(() => c.stats().coalesced === 1, 2_000, 'the copy to be coalesced');
    expect(c.stats()).toMatchObject({ running: 1, queued: 0, refused: 0 });
    gate.resolve();
    expect(answerPayload(await copy)).toEqual({ code: 200 });
    // The first push's deadline has not passed here, but the platform awaits only its latest push.
    expect(await first).toBeUndefined();
    expect(runs).toEqual(['ev_copy']);
    // A different event with the same frame headers is not a copy.
    expect(answerPayload(await emu.sendFrames(push(emu, 'push-3', 'ev_other')))).toEqual({ code: 200 });
    expect(runs).toEqual(['ev_copy', 'ev_other']);
  });

  it('answers code 500 at once beyond maxQueue, so that the platform retries, and counts the refusal', async () => {
    const emu = await emulator({ redeliveryScheduleMs: [200] });
    const gate = deferred();
    let runs = 0;
    const d = dispatcher().register_p2_im_message_receive_v1(async () => {
      runs++;
      await gate.promise;
    });
    const log = captureLogger();
    const c = client(emu, { dispatcher: d, maxConcurrency: 1, maxQueue: 1, logger: log });
    await c.start();
    const first = emu.trigger('im.message.receive_v1');
    await waitFor(() => runs === 1, 2_000, 'the first delivery to run');
    const second = emu.trigger('im.message.receive_v1');
    await waitFor(() => c.stats().queued === 1, 2_000, 'the second to wait');
    const attempts: number[] = [];
    const third = emu.trigger('im.message.receive_v1', { onAttempt: (a) => attempts.push(a.code) });
    await waitFor(() => attempts.length === 1, 500, 'the refusal');
    expect(attempts).toEqual([500]);
    expect(c.stats()).toMatchObject({ refused: 1, queued: 1, running: 1, peakQueued: 1 });
    expect(log.lines.some((l) => l.includes('intake full'))).toBe(true);
    gate.resolve();
    // The platform's retry finds room and succeeds.
    expect((await Promise.all([first, second, third])).map((r) => r.code)).toEqual([200, 200, 200]);
    expect((await third).attempts).toBe(2);
  });
});

describe('WSClient: close()', () => {
  it('stops intake, lets running and queued handlers finish and sends their answers before closing', async () => {
    const emu = await emulator();
    const started = deferred();
    let finished = 0;
    const d = dispatcher()
      .register_p2_im_message_receive_v1(async () => {
        started.resolve();
        await sleep(250);
        finished++;
      })
      .register_p2_card_action_trigger(async () => {
        await sleep(100);
        return { toast: { type: 'success' as const, content: 'late but sent' } };
      });
    const c = client(emu, { dispatcher: d, maxConcurrency: 1 });
    await c.start();
    const events: string[] = [];
    emu.on('answer', () => events.push('answer'));
    emu.on('disconnect', () => events.push('disconnect'));
    const first = emu.trigger('im.message.receive_v1', { retries: 0 });
    await started.promise;
    const queued = emu.trigger('card.action.trigger', { retries: 0 });
    await waitFor(() => c.pending === 2, 1_000, 'a queued delivery');
    const closing = c.close();
    expect(c.state).toBe('closing');
    // Arrives during the drain: not dispatched (the platform redelivers elsewhere).
    const payload = enc.encode(JSON.stringify(loadExample('im.message.receive_v1')));
    expect(await emu.sendFrames(frames('event', 'after-close', payload, [['1', '0', 0, payload.length]], emu.serviceId), { timeoutMs: 100 })).toBeUndefined();
    await closing;
    expect((await first).code).toBe(200);
    expect(await queued).toMatchObject({ code: 200, data: { toast: { content: 'late but sent' } } });
    expect(finished).toBe(1);
    await waitFor(() => events.includes('disconnect'), 2_000, 'disconnect');
    expect(events).toEqual(['answer', 'answer', 'disconnect']);
    expect(c.states.slice(-2)).toEqual(['closing', 'closed']);
  });

  it('gives up on handlers still running after closeTimeoutMs', async () => {
    const emu = await emulator({ answerTimeoutMs: 3_000 });
    const started = deferred();
    const d = dispatcher().register_p2_im_message_receive_v1(async () => {
      started.resolve();
      await sleep(1_500);
    });
    const log = captureLogger();
    const c = client(emu, { dispatcher: d, closeTimeoutMs: 150, logger: log });
    await c.start();
    const result = emu.trigger('im.message.receive_v1', { retries: 0 });
    await started.promise;
    const t0 = Date.now();
    await c.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect((await result).code).toBe(0);
    expect(log.lines.some((l) => /1 deliveries still running after 150 ms/.test(l))).toBe(true);
  });

  it('close() during start() rejects start and never connects', async () => {
    const emu = await emulator();
    emu.failEndpoint(1, 100);
    const c = client(emu, { reconnectBaseMs: 50 });
    const start = c.start();
    await sleep(30);
    await c.close();
    await expect(start).rejects.toThrow(/closed before connecting/);
    expect(c.state).toBe('closed');
    await sleep(200);
    expect(emu.connections()).toHaveLength(0);
  });
});

describe('WSClient: close() while connecting', () => {
  it('close() while the endpoint request is pending never opens the socket', async () => {
    // A platform whose endpoint answers after 200 ms; it counts WebSocket upgrades.
    let upgrades = 0;
    const asked = deferred();
    const server = http.createServer((req, res) => {
      req.resume();
      asked.resolve();
      const { port } = server.address() as AddressInfo;
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: `ws://127.0.0.1:${port}/ws/v2?device_id=1&service_id=1&ticket=t`, ClientConfig: { PingInterval: 30 } } }));
      }, 200);
    });
    server.on('upgrade', (_req, socket: Duplex) => {
      upgrades++;
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onCleanup(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dispatcher: dispatcher(), logger: silentLogger });
    const states: string[] = [];
    c.on('state', (s) => states.push(s));
    const start = c.start();
    start.catch(() => undefined);
    await asked.promise;
    await c.close();
    await expect(start).rejects.toThrow(/closed before connecting/);
    // Well past the endpoint's answer: still no upgrade, still closed.
    await sleep(400);
    expect(upgrades).toBe(0);
    expect(c.state).toBe('closed');
    expect(states).toEqual(['connecting', 'closing', 'closed']);
  });
});

describe('WSClient: failures', () => {
  /** A port on 127.0.0.1 that nothing listens on. */
  async function closedPort(): Promise<number> {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    return port;
  }

  /** Every message of an error and of its causes. */
  function messages(err: unknown): string[] {
    const out: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) out.push(e.message);
    return out;
  }

  it.each(['notaurl', 'open.feishu.cn', 'ftp://open.feishu.cn', 'https://open.feishu.cn/?x=1'])('an invalid domain (%s) is fatal at start(): WSOptionError naming it, state failed, no request', async (domain) => {
    const log = captureLogger();
    const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain, dispatcher: dispatcher(), logger: log });
    onCleanup(() => c.close());
    const error: unknown = await c.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WSOptionError);
    expect(error).toBeInstanceOf(LarkEventError);
    expect(error).toMatchObject({ option: 'domain', value: domain, message: expect.stringContaining(`domain ${JSON.stringify(domain)}`) });
    expect((error as Error).message).toMatch(/feishu, lark or an http\(s\) base URL/);
    expect(c.state).toBe('failed');
    // Rejected, so not logged too; and no attempt was made.
    expect(log.lines).toEqual([]);
    // Settled for good: start() again gives the same rejection.
    await expect(c.start()).rejects.toBe(error);
  });

  it('an invalid domain never shows the password a URL may carry', async () => {
    const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: 'ftp://user:hunter2@example.com', dispatcher: dispatcher(), logger: silentLogger });
    const error = (await c.start().catch((err: unknown) => err)) as WSOptionError;
    expect(error.option).toBe('domain');
    expect(error.message).not.toContain('hunter2');
    expect(error.value).not.toContain('hunter2');
  });

  it('a closed port: reconnecting states with attempt 1, 2, 3…, their backoff delays and an ECONNREFUSED cause naming the host', async () => {
    const port = await closedPort();
    const base = 20;
    const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: `http://127.0.0.1:${port}`, dispatcher: dispatcher(), logger: silentLogger, reconnectBaseMs: base });
    onCleanup(() => c.close());
    const infos: StateInfo[] = [];
    c.on('state', (_s, info) => infos.push(info));
    const started = c.start();
    started.catch(() => undefined);
    await waitFor(() => infos.filter((i) => i.state === 'reconnecting').length >= 4, 10_000, 'four retries');
    const retries = infos.filter((i): i is ReconnectingInfo => i.state === 'reconnecting').slice(0, 4);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(infos[0]).toMatchObject({ state: 'connecting', previous: 'idle' });
    expect(retries[0]!.previous).toBe('connecting');
    for (const r of retries) {
      // Capped exponential backoff with jitter (backoff.ts): retry n waits cap/2..cap, cap = base·2^(n-1).
      const cap = base * 2 ** (r.attempt - 1);
      expect(r.delayMs, `attempt ${r.attempt}`).toBeGreaterThanOrEqual(cap / 2 - 1);
      expect(r.delayMs, `attempt ${r.attempt}`).toBeLessThanOrEqual(cap + 1);
      expect(r.error).toBeInstanceOf(WSConnectError);
      expect(r.error).toMatchObject({ fatal: false, host: `127.0.0.1:${port}` });
      expect(r.error.message).toContain(`127.0.0.1:${port}`);
      expect(r.error.message).toContain('ECONNREFUSED');
      expect((r.error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    }
    expect(c.state).toBe('reconnecting');
    await c.close();
    await expect(started).rejects.toThrow(/closed before connecting/);
  });

  it('an unresolvable host keeps its DNS error (ENOTFOUND) and names the host', async () => {
    const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: 'http://nonexistent.invalid', dispatcher: dispatcher(), logger: silentLogger, reconnectBaseMs: 20 });
    onCleanup(() => c.close());
    const retry = new Promise<ReconnectingInfo>((resolve) => c.on('state', (_s, info) => info.state === 'reconnecting' && resolve(info)));
    c.start().catch(() => undefined);
    const info = await retry;
    expect(info.attempt).toBe(1);
    expect(info.error).toMatchObject({ fatal: false, host: 'nonexistent.invalid' });
    expect(info.error.message).toMatch(/^endpoint request to nonexistent\.invalid failed: .*ENOTFOUND/);
    expect((info.error.cause as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });

  it('connectTimeoutMs settles start() against a closed port: the error names the last failure and keeps it as the cause', async () => {
    const port = await closedPort();
    const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: `http://127.0.0.1:${port}`, dispatcher: dispatcher(), logger: silentLogger, reconnectBaseMs: 20, connectTimeoutMs: 300 });
    onCleanup(() => c.close());
    const error: unknown = await c.start().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WSConnectError);
    expect(error).toMatchObject({ fatal: true, message: expect.stringMatching(new RegExp(`^not connected within 300 ms: endpoint request to 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`)) });
    const last = (error as Error).cause;
    expect(last).toBeInstanceOf(WSConnectError);
    expect(((last as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(c.state).toBe('failed');
  });

  it('a failed upgrade names the WebSocket host, never the URL ticket, nor the app secret', async () => {
    const wsPort = await closedPort();
    const ticket = 'TICKET-3f9a-secret';
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: `ws://127.0.0.1:${wsPort}/ws/v2?device_id=1&service_id=1&ticket=${ticket}&access_key=${ticket}`, ClientConfig: {} } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => server.close(() => r())));
    const log = captureLogger();
    const c = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dispatcher: dispatcher(), logger: log, reconnectBaseMs: 20, connectTimeoutMs: 400 });
    onCleanup(() => c.close());
    const retries: ReconnectingInfo[] = [];
    c.on('state', (_s, info) => info.state === 'reconnecting' && retries.push(info));
    const error: unknown = await c.start().catch((err: unknown) => err);
    expect(retries.length).toBeGreaterThan(0);
    const first = retries[0]!.error;
    expect(first).toMatchObject({ host: `127.0.0.1:${wsPort}`, message: expect.stringMatching(new RegExp(`^connection to 127\\.0\\.0\\.1:${wsPort} failed: .*ECONNREFUSED`)) });
    expect((first.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    const said = [...messages(error), ...retries.flatMap((r) => messages(r.error)), ...log.lines].join('\n');
    expect(said).toContain(`127.0.0.1:${wsPort}`);
    expect(said).not.toContain(ticket);
    expect(said).not.toContain(APP_SECRET);
  });

  it('a fatal error is reported once: thrown by start() and not logged; after start(), to state listeners, else logged', async () => {
    // Thrown: wrong credentials reject start(), and nothing is logged at error.
    const emu = await emulator();
    const log = captureLogger();
    const wrong = new WSClient({ appId: APP_ID, appSecret: 'wrong', domain: emu.url, dispatcher: dispatcher(), logger: log });
    onCleanup(() => wrong.close());
    await expect(wrong.start()).rejects.toThrow(/code 10003/);
    expect(log.lines.filter((l) => l.startsWith('error'))).toEqual([]);

    // After start(), with nobody listening: the log is the only report, once.
    const quiet = captureLogger();
    const unheard = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: emu.url, dispatcher: dispatcher(), logger: quiet, autoReconnect: false });
    onCleanup(() => unheard.close());
    await unheard.start();
    emu.dropConnections();
    await waitFor(() => unheard.state === 'failed', 5_000, 'the unheard client to fail');
    expect(quiet.lines.filter((l) => l.startsWith('error'))).toEqual(['error ws: giving up: connection closed (code 1006) and autoReconnect is off']);

    // After start(), with a state listener: the listener gets it, the log does not.
    const heardLog = captureLogger();
    const heard = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: emu.url, dispatcher: dispatcher(), logger: heardLog, autoReconnect: false });
    onCleanup(() => heard.close());
    const failed = new Promise<Error>((resolve) => heard.on('state', (_s, info) => info.state === 'failed' && resolve(info.error)));
    await heard.start();
    emu.dropConnections();
    expect((await failed).message).toMatch(/autoReconnect is off/);
    expect(heardLog.lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});

describe('WSClient: logs', () => {
  it('never logs the app secret or the URL query secrets', async () => {
    const emu = await emulator({ pingIntervalS: 0.05 });
    const log = captureLogger();
    const urls: string[] = [];
    // Capture the URLs the endpoint hands out, to know what must not leak: a relay in front of the
    // emulator's endpoint records every answer (the client reaches it with node:http, not fetch).
    const relay = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const answer = await fetch(`${emu.url}${req.url ?? '/'}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
          const text = await answer.text();
          const body = JSON.parse(text) as { data?: { URL?: string } };
          if (body.data?.URL) urls.push(body.data.URL);
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
        })();
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => {
      relay.closeAllConnections();
      relay.close(() => resolve());
    }));
    const d = dispatcher().register_p2_im_message_receive_v1(() => {
      throw new Error('handler failure');
    });
    const c = client(emu, { logger: log, dispatcher: d, pingTimeoutMs: 100, domain: `http://127.0.0.1:${(relay.address() as AddressInfo).port}` });
    await c.start();
    await emu.trigger('im.message.receive_v1', { retries: 0 });
    emu.dropConnections();
    await waitFor(() => urls.length >= 2 && c.state === 'connected', 3_000, 'reconnect');
    emu.failEndpoint(10003);
    emu.dropConnections();
    await waitFor(() => c.state === 'failed', 3_000, 'failure');
    const text = log.lines.join('\n');
    expect(log.lines.length).toBeGreaterThan(3);
    expect(text).not.toContain(APP_SECRET);
    for (const u of urls) {
      const q = new URL(u).searchParams;
      expect(text).not.toContain(q.get('ticket')!);
      expect(text).not.toContain(q.get('access_key')!);
      expect(text).not.toContain(u);
      expect(text).toContain(`device_id=${q.get('device_id')}`);
    }
  });
});

describe('WSClient: bounded payloads', () => {
  it('answers a frame whose JSON nests 100k deep with code 500, without reaching a validator or the handler', async () => {
    // Every validator lookup is recorded: the dispatcher reads a validator only to run it.
    const looked: string[] = [];
    const spying = catalogSource(catalog, async (domain) => {
      const module = await loadDomain(domain);
      const validators = new Proxy(module.validators, {
        get(target, key, receiver) {
          if (typeof key === 'string') looked.push(key);
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      return { ...module, validators };
    });
    const Dispatcher = createDispatcherClass<AllRegistrations>(spying, catalog);
    let handled = 0;
    const inner = new Dispatcher({ logger: silentLogger, validation: 'reject' }).register_p2_im_message_receive_v1(() => {
      handled++;
    });
    const outcomes: DispatchOutcome[] = [];
    const d = { dispatch: async (body: Parameters<typeof inner.dispatch>[0], t?: Parameters<typeof inner.dispatch>[1]) => {
      const o = await inner.dispatch(body, t);
      outcomes.push(o);
      return o;
    } };
    const emu = await emulator();
    const c = client(emu, { dispatcher: d });
    await c.start();

    const depth = 100_000;
    const text = JSON.stringify(loadExample('im.message.receive_v1')).replace(/\}$/, `,"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const deep = enc.encode(text);
    const answer = await emu.sendFrames(frames('event', 'deep-1', deep, [['1', '0', 0, deep.length]], emu.serviceId));
    expect(answerPayload(answer)).toEqual({ code: 500 });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status: 'malformed', error: { message: 'JSON nested deeper than 128 levels' } });
    expect(looked).toEqual([]);
    expect(handled).toBe(0);

    // The same event, nested as real payloads are, goes through validation to the handler.
    const ok = enc.encode(JSON.stringify(loadExample('im.message.receive_v1')));
    expect(answerPayload(await emu.sendFrames(frames('event', 'ok-1', ok, [['1', '0', 0, ok.length]], emu.serviceId)))).toEqual({ code: 200 });
    expect(looked).toContain('im.message.receive_v1');
    expect(handled).toBe(1);
  });
});
