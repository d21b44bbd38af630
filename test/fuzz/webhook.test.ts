/**
 * Hostile input: thousands of bad requests from a seeded PRNG, interleaved with valid deliveries
 * (and their retries). No crash, no handler call for a bad one, the right status class for each,
 * every valid delivery dispatched exactly once.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore, silentLogger } from '../../src/index.js';
import { createNodeHandler, createWebhookHandler, encrypt, encryptBody, signRequest } from '../../src/entries/webhook.js';
import type { WebhookHandler, WebhookRequest } from '../../src/entries/webhook.js';
import { seededRandom } from '../../src/emulator/random.js';
import { cardAction, challenge, closeServer, JSON_CT, KEY, listen, p2Message, recordingDispatcher, send, TOKEN, v1Message } from '../transport/webhook/helpers.js';
import { fuzzSeed } from './seed.js';

const SEED = fuzzSeed(0x1a2b3c4d);
const rand = seededRandom(SEED);
/** Generated requests (more if needed to reach MIN_HOSTILE); about 82 % of them hostile. */
const COUNT = 6_000;
/** Hostile requests this suite must send: with test/fuzz/ws.test.ts's frames, over 10,000. */
const MIN_HOSTILE = 5_000;
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const MAX = 512 * 1024;

interface Case {
  readonly name: string;
  readonly request: WebhookRequest;
  /** Expected status class (4 = any 4xx) or exact status. */
  readonly expect: { status?: number; klass?: 2 | 4 };
  /** The delivery id a valid case must dispatch. */
  readonly validId?: string;
  readonly plain?: string;
}

const req = (body: Uint8Array | string, headers: Record<string, string>, extra: Partial<WebhookRequest> = {}): WebhookRequest => ({
  method: 'POST',
  path: '/webhook/event',
  headers,
  body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  ...extra,
});
const signedReq = (body: Uint8Array | string, extra: Partial<WebhookRequest> = {}, timestamp?: string) =>
  req(body, { ...JSON_CT, ...signRequest(body, KEY, timestamp ? { timestamp } : {}) }, extra);

let badSeq = 0;
const badId = () => `bad-${++badSeq}`;
const badEvent = () => pick([() => p2Message(badId()), () => v1Message(badId()), () => cardAction(badId())])();

const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
const randomAscii = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');

const bad: Record<string, () => Case> = {
  truncatedJson: () => {
    const t = JSON.stringify(badEvent());
    return { name: 'truncated', request: signedReq(t.slice(0, 1 + int(t.length - 2))), expect: { status: 400 } };
  },
  malformedJson: () => {
    const t = pick(['{', '}', '{"a":}', '{"schema":"2.0",,}', "{'a':1}", 'nul', '{"a":1}}', '[', '{"a":"\\x"}', randomAscii(1 + int(40)), '']);
    return { name: 'malformed', request: signedReq(t), expect: { status: 400 } };
  },
  truncatedEncrypted: () => {
    const t = encryptBody(JSON.stringify(badEvent()).slice(0, 10 + int(50)), KEY);
    return { name: 'encrypted-truncated', request: signedReq(t), expect: { status: 400 } };
  },
  oddBase64: () => {
    const e = encrypt(JSON.stringify(badEvent()), KEY);
    const odd = pick([
      () => e.slice(0, e.length - 1 - int(8)),
      () => e.replace(/[A-Z]/, '*'),
      () => e + '=',
      () => e.slice(0, 20),
      () => '',
      () => randomAscii(int(64)),
      () => e.replace(/=+$/, '') + '==A',
    ])();
    return { name: 'odd-base64', request: signedReq(JSON.stringify({ encrypt: odd })), expect: { status: 400 } };
  },
  wrongKey: () => ({ name: 'wrong-key', request: signedReq(encryptBody(badEvent(), 'k' + int(1e9))), expect: { status: 400 } }),
  badPadding: () => {
    const raw = Buffer.from(encrypt(JSON.stringify(badEvent()), KEY), 'base64');
    raw[raw.length - 1 - int(16)]! ^= 1 + int(255);
    return { name: 'bad-padding', request: signedReq(JSON.stringify({ encrypt: raw.toString('base64') })), expect: { klass: 4 } };
  },
  randomCiphertext: () => ({ name: 'random-ciphertext', request: signedReq(JSON.stringify({ encrypt: Buffer.from(randomBytes(16 * (2 + int(8)))).toString('base64') })), expect: { status: 400 } }),
  wrongSignature: () => {
    const body = encryptBody(badEvent(), KEY);
    const headers: Record<string, string> = { ...JSON_CT, ...signRequest(body, KEY) };
    const variant = int(6);
    if (variant === 0) headers['x-lark-signature'] = randomAscii(64);
    else if (variant === 1) headers['x-lark-signature'] = headers['x-lark-signature']!.slice(1);
    else if (variant === 2) headers['x-lark-request-nonce'] = 'other';
    else if (variant === 3) delete headers['x-lark-signature'];
    else if (variant === 4) delete headers['x-lark-request-timestamp'];
    else Object.assign(headers, signRequest(body, 'not the key'));
    return { name: 'wrong-signature', request: req(body, headers), expect: { status: 401 } };
  },
  unsignedEvent: () => ({ name: 'unsigned', request: req(encryptBody(badEvent(), KEY), JSON_CT), expect: { status: 401 } }),
  staleTimestamp: () => {
    const skew = (301 + int(100_000)) * (rand() < 0.5 ? -1 : 1);
    return { name: 'stale', request: signedReq(encryptBody(badEvent(), KEY), {}, String(Math.floor(Date.now() / 1000) + skew)), expect: { status: 401 } };
  },
  wrongToken: () => {
    const e = badEvent();
    const token = pick(['', 'x', TOKEN.slice(1), TOKEN + ' ', TOKEN.toUpperCase()]);
    if (e.schema === '2.0') (e.header as Record<string, unknown>).token = token;
    else e.token = token;
    return { name: 'wrong-token', request: signedReq(encryptBody(e, KEY)), expect: { status: 401 } };
  },
  wrongChallengeToken: () => ({ name: 'challenge-token', request: req(encryptBody(challenge('c', 'bad' + int(99)), KEY), JSON_CT), expect: { status: 401 } }),
  oversized: () => ({ name: 'oversized', request: signedReq(encryptBody({ ...badEvent(), pad: 'x'.repeat(MAX) }, KEY)), expect: { status: 413 } }),
  protoKeys: () => {
    // The envelope only under __proto__ / constructor: own keys after JSON.parse, not a delivery.
    const e = badEvent();
    const text = pick([`{"__proto__":${JSON.stringify(e)}}`, `{"constructor":{"prototype":${JSON.stringify(e)}}}`, `{"__proto__":{"encrypt":"${encrypt(JSON.stringify(e), KEY)}"}}`]);
    return { name: 'proto', request: signedReq(encryptBody(text, KEY)), expect: { status: 400 } };
  },
  invalidUtf8: () => {
    const t = Buffer.from(JSON.stringify(badEvent()), 'utf8');
    const at = int(t.length);
    const broken = Buffer.concat([t.subarray(0, at), Buffer.from(pick([[0xff], [0xc3], [0xe4, 0xbd], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]])), t.subarray(at)]);
    return { name: 'invalid-utf8', request: signedReq(pick([() => broken, () => encryptBody(broken, KEY)])()), expect: { status: 400 } };
  },
  wrongContentType: () => ({ name: 'content-type', request: req(encryptBody(badEvent(), KEY), { 'content-type': pick(['text/plain', 'application/xml', 'application/json; charset=utf-16', 'multipart/form-data']) }), expect: { status: 415 } }),
  wrongMethod: () => ({ name: 'method', request: { ...signedReq(encryptBody(badEvent(), KEY)), method: pick(['GET', 'PUT', 'DELETE', 'PATCH']) }, expect: { status: 405 } }),
  wrongPath: () => ({ name: 'path', request: { ...signedReq(encryptBody(badEvent(), KEY)), path: pick(['/', '/webhook', '/webhook/event/x', '/WEBHOOK/EVENT']) }, expect: { status: 404 } }),
  wrongShape: () => {
    const e = badEvent();
    const h = e.header as Record<string, unknown> | undefined;
    const ev = e.event as Record<string, unknown>;
    const mutations: (() => void)[] = [() => delete e.event, () => (e.event = 'str'), () => (e.event = [ev])];
    if (h) mutations.push(() => (e.header = []), () => (h.event_type = 42), () => delete h.event_type, () => (e.schema = '3.0'));
    else mutations.push(() => (ev.type = 42), () => delete ev.type, () => (ev.type = ''));
    pick(mutations)();
    return { name: 'shape', request: signedReq(encryptBody(e, KEY)), expect: { status: 400 } };
  },
};
const deep = (): Case => {
  const depth = 100_000;
  const nested = '['.repeat(depth) + ']'.repeat(depth);
  const text = pick([nested, `{"schema":"2.0","header":{"event_type":"im.message.receive_v1","token":"${TOKEN}"},"event":{"x":${nested}}}`]);
  return { name: 'deep', request: signedReq(rand() < 0.5 ? text : encryptBody(text, KEY)), expect: { status: 400 } };
};

let validSeq = 0;
const valid = (): Case => {
  const id = `ok-${++validSeq}`;
  const payload = pick([() => p2Message(id), () => v1Message(id), () => cardAction(id)])();
  // Valid but odd: own __proto__ / constructor keys ride along and change nothing.
  if (rand() < 0.2) (payload as Record<string, unknown>)['constructor'] = { prototype: { polluted: true } };
  const text = rand() < 0.2 ? JSON.stringify(payload).replace('{', '{"__proto__":{"polluted":true},') : JSON.stringify(payload);
  return { name: 'valid', request: signedReq(encryptBody(text, KEY)), expect: { status: 200 }, validId: id, plain: text };
};

/** At least `count` requests, and more until `minHostile` of them are hostile (any seed). */
function generate(count: number, minHostile: number): Case[] {
  const kinds = Object.values(bad);
  const cases: Case[] = [];
  const validSent: Case[] = [];
  let hostileCount = 6;
  for (let i = 0; i < count || hostileCount < minHostile; i++) {
    const r = rand();
    if (r < 0.15) {
      const v = valid();
      cases.push(v);
      validSent.push(v);
    } else if (r < 0.18 && validSent.length) {
      // A platform retry of an earlier valid delivery: fresh IV, nonce and timestamp.
      const earlier = pick(validSent);
      cases.push({ name: 'retry', request: signedReq(encryptBody(earlier.plain!, KEY)), expect: { status: 200 }, validId: earlier.validId });
    } else {
      cases.push(pick(kinds)());
      hostileCount++;
    }
  }
  for (let i = 0; i < 6; i++) cases.splice(int(cases.length), 0, deep());
  return cases;
}

describe('hostile input fuzz', () => {
  const { dispatcher, rec } = recordingDispatcher({ idempotency: new MemoryIdempotencyStore() });
  let handler: WebhookHandler;
  let server: http.Server;
  let url = '';

  beforeAll(async () => {
    handler = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, path: '/webhook/event', maxBodyBytes: MAX, maxJsonDepth: 64, logger: silentLogger });
    server = http.createServer(createNodeHandler(handler));
    url = await listen(server);
  });
  afterAll(() => closeServer(server));

  it(`survives ${COUNT}+ generated requests, ${MIN_HOSTILE}+ hostile (seed 0x${SEED.toString(16)}), core and loopback`, { timeout: 120_000 }, async () => {
    const cases = generate(COUNT, MIN_HOSTILE);
    const badCount = cases.filter((c) => !c.validId).length;
    console.log(`webhook fuzz: seed 0x${SEED.toString(16)} (set LARK_FUZZ_SEED to replay), ${cases.length} requests, ${badCount} hostile`);
    expect(badCount).toBeGreaterThanOrEqual(MIN_HOSTILE);
    const seen = new Set<string>();
    let overHttp = 0;
    for (const [i, c] of cases.entries()) {
      const viaHttp = i % 8 === 0;
      let status: number;
      let body: Record<string, unknown>;
      if (viaHttp) {
        overHttp++;
        const r = c.request;
        const headers = { ...(r.headers as Record<string, string>) };
        const res = await send(url + (r.path ?? '/'), r.body as Uint8Array, headers, { method: r.method });
        status = res.status;
        body = res.json;
      } else {
        const res = await handler.handle(c.request);
        status = res.status;
        body = JSON.parse(res.body) as Record<string, unknown>;
      }
      const label = `#${i} ${c.name} (${viaHttp ? 'http' : 'core'}): ${status} ${JSON.stringify(body).slice(0, 120)}`;
      if (c.expect.status !== undefined) expect(status, label).toBe(c.expect.status);
      else expect(Math.floor(status / 100), label).toBe(c.expect.klass);
      if (status >= 400) expect(typeof body.error, label).toBe('string');
      if (c.validId) seen.add(c.validId);
    }
    expect(overHttp).toBeGreaterThanOrEqual(Math.floor(COUNT / 8));
    // No handler call for a bad request; every valid event exactly once, retries included. A
    // callback runs again when redelivered (its answer is its handler's result), never zero times.
    expect(rec.calls.filter((c) => !String(c.id).startsWith('ok-'))).toEqual([]);
    const eventIds = rec.calls.filter((c) => c.type !== 'card.action.trigger').map((c) => c.id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(new Set(rec.calls.map((c) => c.id))).toEqual(seen);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
