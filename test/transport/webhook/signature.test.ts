/** Encryption (webhook.md §2) and signatures (§3): raw bytes, constant time, replay window. */
import crypto from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/index.js';
import { AesCipher, computeSignature, createWebhookHandler, DecryptError, decrypt, DEFAULT_TIMESTAMP_TOLERANCE_MS, encrypt, encryptBody, SignatureError, signRequest, verifySignature } from '../../../src/entries/webhook.js';
import { JSON_CT, KEY, p2Message, parse, recordingDispatcher, TOKEN } from './helpers.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  const timingSafeEqual = vi.fn(actual.timingSafeEqual);
  return { ...actual, default: { ...actual, timingSafeEqual }, timingSafeEqual };
});

describe('AES-256-CBC', () => {
  it('round-trips with key = SHA-256(Encrypt Key) and IV = the first 16 bytes, like the official SDK', () => {
    const text = JSON.stringify({ hello: 'wörld ✓ 𝄞' });
    const enc = encrypt(text, KEY);
    expect(decrypt(enc, KEY)).toBe(text);
    // Independent reference: node's crypto with the documented construction.
    const data = Buffer.from(enc, 'base64');
    const key = crypto.createHash('sha256').update(KEY).digest();
    const d = crypto.createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
    expect(Buffer.concat([d.update(data.subarray(16)), d.final()]).toString('utf8')).toBe(text);
    // And the official SDK's own cipher decrypts what we produce.
    expect(new lark.AESCipher(KEY).decrypt(enc)).toBe(text);
    expect(JSON.parse(encryptBody({ a: 1 }, KEY))).toHaveProperty('encrypt');
  });

  it('turns bad base64, wrong keys, bad padding and short data into DecryptError, never a crash', () => {
    const cipher = new AesCipher(KEY);
    const good = encrypt('{"a":1}', KEY);
    const flipped = Buffer.from(good, 'base64');
    flipped[flipped.length - 1]! ^= 1;
    const bad = ['', 'é', 'abc', '====', '%%%%', 'AAAAAAAAAAAAAAAAAAAAAA==', flipped.toString('base64'), encrypt('{"a":1}', 'wrong key'), Buffer.alloc(48).toString('base64')];
    for (const b of bad) expect(() => cipher.decrypt(b), b).toThrow(DecryptError);
    // A plaintext that is not UTF-8 is a decrypt error too.
    expect(() => cipher.decrypt(encrypt(Buffer.from([0xff, 0xfe, 0xfd]), KEY))).toThrow(/UTF-8/);
  });
});

describe('X-Lark-Signature over the exact bytes', () => {
  // Odd whitespace and \u escapes: what arrives is not what JSON.stringify(JSON.parse(...)) produces.
  const odd = (id: string) =>
    `{"schema": "2.0" , "header" : {"event_id":"${id}","event_type":"im.message.receive_v1","create_time":"1608725989000","token":"${TOKEN}","app_id":"cli_9f5343c580712544","tenant_key":"2ca1d211f64f6438"},\n` +
    `  "event": ${JSON.stringify(p2Message().event).replace('"chat_type":"group"', '"chat_type":"gr\\u006fup"').replace('"message_type":"text"', '"message_type" : "te\\u0078t", "note":"caf\\u00e9 \\ud83d\\ude00"')} }`;

  it('verifies a body with odd whitespace and \\u00e9 escapes, which the official SDK rejects', async () => {
    const text = odd('odd-1');
    expect(text).toContain('\\u00e9');
    const headers = signRequest(text, KEY, { timestamp: String(Math.floor(Date.now() / 1000)), nonce: 'n0nce' });
    const ours = computeSignature(headers['x-lark-request-timestamp']!, 'n0nce', KEY, Buffer.from(text));
    const sdkStyle = computeSignature(headers['x-lark-request-timestamp']!, 'n0nce', KEY, JSON.stringify(JSON.parse(text)));
    expect(ours).toBe(headers['x-lark-signature']);
    expect(sdkStyle).not.toBe(ours);

    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger });
    const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...headers }, body: Buffer.from(text) });
    expect(r.status).toBe(200);
    expect(rec.calls.map((c) => c.id)).toEqual(['odd-1']);
    expect((rec.calls[0]!.payload as { event: { message: { note: string } } }).event.message.note).toBe('café 😀');

    // The official SDK, fed the way its adapters do (parsed body + headers on the prototype), refuses it.
    const sdk = new lark.EventDispatcher({ encryptKey: KEY, verificationToken: TOKEN, loggerLevel: lark.LoggerLevel.error }).register({ 'im.message.receive_v1': async () => 'sdk-handled' });
    const data = Object.assign(Object.create({ headers }) as object, JSON.parse(text) as object);
    expect(await sdk.invoke(data)).toBeUndefined();
    // ...while the same payload compactly serialised passes its check (so the failure is the re-serialisation).
    const compact = JSON.stringify(JSON.parse(text));
    const compactHeaders = signRequest(compact, KEY);
    expect(await sdk.invoke(Object.assign(Object.create({ headers: compactHeaders }) as object, JSON.parse(compact) as object))).toBe('sdk-handled');
  });

  it('also verifies an encrypted wrapper sent with extra whitespace', async () => {
    const wrapper = `{ "encrypt" : ${JSON.stringify(encrypt(JSON.stringify(p2Message('ws-enc')), KEY))} }\n`;
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger });
    const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(wrapper, KEY) }, body: Buffer.from(wrapper) });
    expect(r.status).toBe(200);
    expect(rec.calls.map((c) => c.id)).toEqual(['ws-enc']);
  });

  it('compares in constant time: timingSafeEqual on equal-length buffers, no compare at all on a length mismatch', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const body = Buffer.from('{"a":1}');
    const headers = { timestamp: String(Math.floor(Date.now() / 1000)), nonce: 'n', signature: '' };
    const good = computeSignature(headers.timestamp, 'n', KEY, body);
    verifySignature({ ...headers, signature: good.toUpperCase() }, body, { secret: KEY });
    expect(spy).toHaveBeenCalledTimes(1);
    const [a, b] = spy.mock.calls[0]! as [Buffer, Buffer];
    expect(a.length).toBe(b.length);
    spy.mockClear();
    const wrongSameLength = (good[0] === 'a' ? 'b' : 'a') + good.slice(1);
    expect(() => verifySignature({ ...headers, signature: wrongSameLength }, body, { secret: KEY })).toThrow(SignatureError);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockClear();
    expect(() => verifySignature({ ...headers, signature: good.slice(0, 10) }, body, { secret: KEY })).toThrow(/signature mismatch/);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('replay window on X-Lark-Request-Timestamp', () => {
  const setup = (extra = {}) => {
    const { dispatcher, rec } = recordingDispatcher();
    const now = Date.UTC(2025, 0, 1);
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger, now: () => now, ...extra });
    const at = (offsetMs: number, id: string) => {
      const text = encryptBody(p2Message(id), KEY);
      const headers = { ...JSON_CT, ...signRequest(text, KEY, { timestamp: String(Math.floor((now + offsetMs) / 1000)) }) };
      return h.handle({ method: 'POST', headers, body: Buffer.from(text) });
    };
    return { at, rec };
  };

  it('defaults to 5 minutes each way: stale and future requests are 401, skew within is fine', async () => {
    expect(DEFAULT_TIMESTAMP_TOLERANCE_MS).toBe(300_000);
    const { at, rec } = setup();
    const stale = await at(-301_000, 'stale');
    expect([stale.status, parse(stale.body)]).toEqual([401, { error: 'request timestamp too old (replay window)', header: 'X-Lark-Request-Timestamp', toleranceMs: 300_000 }]);
    const future = await at(302_000, 'future');
    expect([future.status, parse(future.body).error]).toEqual([401, 'request timestamp in the future (replay window)']);
    expect((await at(-290_000, 'old-ok')).status).toBe(200);
    expect((await at(60_000, 'skew-ok')).status).toBe(200);
    expect(rec.calls.map((c) => c.id)).toEqual(['old-ok', 'skew-ok']);
  });

  it('is configurable and can be disabled', async () => {
    const tight = setup({ timestampToleranceMs: 1000 });
    expect((await tight.at(-5000, 'a')).status).toBe(401);
    const off = setup({ timestampToleranceMs: false });
    expect((await off.at(-86_400_000 * 30, 'b')).status).toBe(200);
  });

  it('rejects a timestamp that is not epoch seconds', () => {
    const body = Buffer.from('{}');
    const sig = computeSignature('soon', 'n', KEY, body);
    expect(() => verifySignature({ timestamp: 'soon', nonce: 'n', signature: sig }, body, { secret: KEY })).toThrow(/epoch seconds/);
  });
});
