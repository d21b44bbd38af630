/** Every row of webhook.md through the transport-independent core `createWebhookHandler(...).handle`. */
import { describe, expect, it } from 'vitest';
import { LarkEventError, MemoryIdempotencyStore, silentLogger } from '../../../src/index.js';
import { createWebhookHandler, DEFAULT_WEBHOOK_MAX_BODY_BYTES, DEFAULT_WEBHOOK_MAX_JSON_DEPTH, encryptBody, signRequest } from '../../../src/entries/webhook.js';
import { cardAction, challenge, JSON_CT, KEY, p2Message, parse, platformRequest, recordingDispatcher, TOKEN, urlPreview, v1Message } from './helpers.js';

const opts = { logger: silentLogger };

describe('the four bodies (webhook.md §1)', () => {
  it('answers a plain challenge with its value, after checking the token', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const ok = await h.handle(platformRequest(challenge('abc')));
    expect(ok.status).toBe(200);
    expect(parse(ok.body)).toEqual({ challenge: 'abc' });
    expect(ok.headers['content-type']).toMatch(/^application\/json/);
    const bad = await h.handle(platformRequest(challenge('abc', 'wrong')));
    expect(bad.status).toBe(401);
    expect(parse(bad.body)).toEqual({ error: 'verification token mismatch', pointer: '/token' });
    expect(rec.calls).toHaveLength(0);
  });

  it('answers an encrypted, unsigned challenge (challenges carry no signature headers), token checked', async () => {
    const { dispatcher } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, ...opts });
    const body = encryptBody(challenge('enc-ch'), KEY);
    const ok = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(body) });
    expect([ok.status, parse(ok.body)]).toEqual([200, { challenge: 'enc-ch' }]);
    const bad = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(encryptBody(challenge('x', 'nope'), KEY)) });
    expect([bad.status, parse(bad.body).pointer]).toEqual([401, '/token']);
    // Signed challenges (should the platform sign them) verify like any request.
    const signed = await h.handle(platformRequest(challenge('signed'), { key: KEY }));
    expect(parse(signed.body)).toEqual({ challenge: 'signed' });
  });

  it('dispatches a schema 2.0 event and answers 200 {}', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const msg = p2Message('evt-1');
    const r = await h.handle(platformRequest(msg));
    expect([r.status, parse(r.body)]).toEqual([200, {}]);
    expect(rec.calls).toEqual([{ type: 'im.message.receive_v1', id: 'evt-1', payload: msg }]);
  });

  it('dispatches a v1 event with its envelope intact', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const msg = v1Message('u-1');
    const r = await h.handle(platformRequest(msg));
    expect(r.status).toBe(200);
    expect(rec.calls).toEqual([{ type: 'message', id: 'u-1', payload: msg }]);
    expect((rec.calls[0]!.payload as { type: string }).type).toBe('event_callback');
  });

  it('decrypts an encrypted, signed wrapper and dispatches what is inside', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, ...opts });
    for (const payload of [p2Message('e-enc'), v1Message('u-enc')]) {
      const r = await h.handle(platformRequest(payload, { key: KEY }));
      expect(r.status).toBe(200);
    }
    expect(rec.calls.map((c) => c.id)).toEqual(['e-enc', 'u-enc']);
  });

  it('answers callbacks with their typed response JSON (card.action.trigger, url.preview.get)', async () => {
    const { dispatcher, rec } = recordingDispatcher({ validation: 'reject' });
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, ...opts });
    const card = await h.handle(platformRequest(cardAction(), { key: KEY }));
    expect([card.status, parse(card.body)]).toEqual([200, { toast: { type: 'success', content: 'clicked button' } }]);
    const preview = await h.handle(platformRequest(urlPreview(), { key: KEY }));
    expect([preview.status, parse(preview.body)]).toEqual([200, { inline: { title: 'preview of https://www.example.com/issues/42' } }]);
    expect(rec.calls.map((c) => c.type)).toEqual(['card.action.trigger', 'url.preview.get']);
  });

  it('keeps the callback Verification Token in header.token apart from the card token in event.token', async () => {
    const { dispatcher } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const card = cardAction();
    (card.header as Record<string, unknown>).token = 'forged';
    expect(card.event).toHaveProperty('token');
    const r = await h.handle(platformRequest(card));
    expect([r.status, parse(r.body).pointer]).toEqual([401, '/header/token']);
  });
});

describe('Verification Token (webhook.md §4)', () => {
  const cases = [
    ['schema 2.0', () => { const m = p2Message(); (m.header as Record<string, unknown>).token = 'x'; return m; }, '/header/token'],
    ['v1', () => ({ ...v1Message(), token: 'x' }), '/token'],
    ['challenge', () => challenge('c', 'x'), '/token'],
  ] as const;
  for (const [name, make, pointer] of cases) {
    it(`401 on a ${name} token mismatch, plain and encrypted, and on a missing token`, async () => {
      const { dispatcher, rec } = recordingDispatcher();
      const plain = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
      const enc = createWebhookHandler(dispatcher, { verificationToken: TOKEN, encryptKey: KEY, ...opts });
      const r1 = await plain.handle(platformRequest(make()));
      const r2 = await enc.handle(platformRequest(make(), { key: KEY }));
      for (const r of [r1, r2]) expect([r.status, parse(r.body)]).toEqual([401, { error: 'verification token mismatch', pointer }]);
      const missing = make() as Record<string, unknown>;
      if (pointer === '/header/token') delete (missing.header as Record<string, unknown>).token;
      else delete missing.token;
      const r3 = await plain.handle(platformRequest(missing));
      expect([r3.status, parse(r3.body)]).toEqual([401, { error: 'verification token missing', pointer }]);
      expect(rec.calls).toHaveLength(0);
    });
  }

  it('refuses to build a receiver that verifies nothing unless allowUnverified is set', () => {
    const { dispatcher } = recordingDispatcher();
    expect(() => createWebhookHandler(dispatcher)).toThrow(LarkEventError);
    expect(() => createWebhookHandler(dispatcher, { encryptKey: '' })).toThrow(/empty/);
    expect(() => createWebhookHandler(dispatcher, { allowUnverified: true })).not.toThrow();
  });
});

describe('failures: status, JSON body naming the problem, nothing dispatched', () => {
  const setup = (extra = {}) => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, path: '/webhook/event', maxBodyBytes: 64 * 1024, ...opts, ...extra });
    return { h, rec };
  };

  it('405 wrong method, with Allow: POST', async () => {
    const { h, rec } = setup();
    const r = await h.handle({ ...platformRequest(p2Message(), { key: KEY }), method: 'GET' });
    expect([r.status, parse(r.body), r.headers.allow]).toEqual([405, { error: 'method not allowed', allow: 'POST' }, 'POST']);
    expect(rec.calls).toHaveLength(0);
  });

  it('404 wrong path (query strings ignored)', async () => {
    const { h } = setup();
    expect((await h.handle(platformRequest(p2Message(), { key: KEY, path: '/other' }))).status).toBe(404);
    expect((await h.handle(platformRequest(p2Message(), { key: KEY, path: '/webhook/event?x=1' }))).status).toBe(200);
  });

  it('415 wrong or missing content type, or a non-UTF-8 charset; charset=utf-8 is fine', async () => {
    const { h, rec } = setup();
    const req = platformRequest(p2Message(), { key: KEY });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', undefined]) {
      const headers: Record<string, string> = { ...(req.headers as Record<string, string>) };
      if (ct === undefined) delete headers['content-type'];
      else headers['content-type'] = ct;
      const r = await h.handle({ ...req, headers });
      expect(r.status).toBe(415);
      expect(parse(r.body)).toMatchObject({ header: 'Content-Type', expected: 'application/json' });
    }
    expect(rec.calls).toHaveLength(0);
    const headers: Record<string, string> = { ...(req.headers as Record<string, string>), 'Content-Type': 'Application/JSON; Charset="UTF-8"' };
    delete headers['content-type'];
    expect((await h.handle({ ...req, headers })).status).toBe(200);
  });

  it('enforces its documented defaults: 1 MiB bodies, 128 levels of nesting', async () => {
    expect([DEFAULT_WEBHOOK_MAX_BODY_BYTES, DEFAULT_WEBHOOK_MAX_JSON_DEPTH]).toEqual([1024 * 1024, 128]);
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN });
    const post = (text: string) => h.handle({ method: 'POST', path: '/webhook/event', headers: { ...JSON_CT }, body: Buffer.from(text) });
    const padded = (bytes: number) => {
      const m = p2Message() as { event: Record<string, unknown> };
      const base = JSON.stringify({ ...m, pad: '' });
      return JSON.stringify({ ...m, pad: 'x'.repeat(bytes - base.length) });
    };
    expect(Buffer.byteLength(padded(1024 * 1024))).toBe(1024 * 1024);
    expect((await post(padded(1024 * 1024))).status).toBe(200);
    expect((await post(padded(1024 * 1024 + 1))).status).toBe(413);
    const nested = (depth: number) => {
      const m = p2Message() as { event: Record<string, unknown> };
      m.event.deep = JSON.parse('['.repeat(depth - 2) + ']'.repeat(depth - 2)) as unknown;
      return JSON.stringify(m);
    };
    expect((await post(nested(128))).status).toBe(200);
    expect((await post(nested(129))).status).toBe(400);
    expect(rec.calls).toHaveLength(2);
  });

  it('413 body larger than maxBodyBytes', async () => {
    const { h, rec } = setup({ maxBodyBytes: 1000 });
    const r = await h.handle(platformRequest(p2Message(), { key: KEY }));
    expect([r.status, parse(r.body)]).toEqual([413, { error: 'body larger than 1000 bytes', limit: 1000 }]);
    expect(h.precheck({ method: 'POST', headers: { ...JSON_CT, 'content-length': '1001' } })?.status).toBe(413);
    expect(rec.calls).toHaveLength(0);
  });

  it('400 malformed JSON, non-object JSON, invalid UTF-8, unknown shapes, too deep', async () => {
    const { h, rec } = setup({ encryptKey: undefined });
    const bodies: [string | Buffer, RegExp][] = [
      ['{"schema":"2.0",', /not valid JSON/],
      ['"{\\"challenge\\":\\"x\\",\\"token\\":\\"' + TOKEN + '\\",\\"type\\":\\"url_verification\\"}"', /must be a JSON object/],
      ['[1,2]', /must be a JSON object/],
      [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), /UTF-8/],
      ['{"hello":"world"}', /neither/],
      ['{"schema":"2.0","header":{"token":"' + TOKEN + '"},"event":{}}', /event_type/],
      ['{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}', /nested deeper/],
    ];
    for (const [body, message] of bodies) {
      const r = await h.handle({ method: 'POST', headers: JSON_CT, body: typeof body === 'string' ? Buffer.from(body) : body });
      expect(r.status, String(body).slice(0, 40)).toBe(400);
      expect(parse(r.body).error).toMatch(message);
    }
    const r = await h.handle(platformRequest('{"schema":"2.0","header":{"event_type":"x","token":"' + TOKEN + '"}}'));
    expect(parse(r.body)).toEqual({ error: 'schema 2.0 body lacks an "event" object', pointer: '/event' });
    expect(rec.calls).toHaveLength(0);
  });

  it('400 undecryptable wrapper (bad base64, wrong key, bad padding, not an IV + blocks), 400 encrypted without a key', async () => {
    const { h, rec } = setup();
    const wrong = encryptBody(p2Message(), 'another key');
    const good = JSON.parse(encryptBody(p2Message(), KEY)) as { encrypt: string };
    const raw = Buffer.from(good.encrypt, 'base64');
    raw[raw.length - 1]! ^= 0x55; // corrupts the padding block
    for (const [body, message] of [
      ['{"encrypt":"!!!not base64!!!"}', /base64/],
      [wrong, /wrong Encrypt Key|UTF-8|JSON/],
      [JSON.stringify({ encrypt: raw.toString('base64') }), /padding|UTF-8|JSON/],
      ['{"encrypt":"AAAA"}', /AES blocks/],
    ] as const) {
      const headers = { ...JSON_CT, ...signRequest(body, KEY) };
      const r = await h.handle({ method: 'POST', headers, body: Buffer.from(body) });
      expect(r.status).toBe(400);
      expect(parse(r.body).error).toMatch(message);
    }
    const { h: noKey } = setup({ encryptKey: undefined });
    const r = await noKey.handle(platformRequest(p2Message(), { key: KEY }));
    expect([r.status, parse(r.body).pointer]).toEqual([400, '/encrypt']);
    expect(rec.calls).toHaveLength(0);
  });

  it('401 unsigned or wrongly signed events when an Encrypt Key is set, naming the header', async () => {
    const { h, rec } = setup();
    const req = platformRequest(p2Message(), { key: KEY });
    const headers = req.headers as Record<string, string>;
    const unsigned = await h.handle({ ...req, headers: JSON_CT });
    expect([unsigned.status, parse(unsigned.body)]).toEqual([401, { error: 'missing signature header', header: 'X-Lark-Signature' }]);
    const tampered = await h.handle({ ...req, headers: { ...headers, 'x-lark-signature': 'f'.repeat(64) } });
    expect(parse(tampered.body)).toEqual({ error: 'signature mismatch', header: 'X-Lark-Signature' });
    const noNonce = { ...headers };
    delete noNonce['x-lark-request-nonce'];
    expect(parse((await h.handle({ ...req, headers: noNonce })).body)).toEqual({ error: 'missing nonce header', header: 'X-Lark-Request-Nonce' });
    const changedBody = Buffer.from(req.text.replace(/"}$/, '" }'));
    expect((await h.handle({ ...req, body: changedBody })).status).toBe(401);
    expect(rec.calls).toHaveLength(0);
  });

  it('500 when the handler throws (so the platform retries), with a short JSON body', async () => {
    const { dispatcher, rec } = recordingDispatcher({}, { fail: () => true });
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const r = await h.handle(platformRequest(p2Message()));
    expect([r.status, parse(r.body)]).toEqual([500, { error: 'handler failed' }]);
    expect(rec.calls).toHaveLength(1);
  });

  it('400 with the JSON pointers of an invalid payload when validation rejects', async () => {
    const { dispatcher, rec } = recordingDispatcher({ validation: 'reject' });
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const msg = p2Message();
    ((msg.event as Record<string, Record<string, unknown>>).message!).message_id = 42;
    const r = await h.handle(platformRequest(msg));
    expect(r.status).toBe(400);
    expect(JSON.stringify(parse(r.body).details)).toContain('/event/message/message_id');
    expect(rec.calls).toHaveLength(0);
  });

  it('does not let __proto__ / constructor keys change anything', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const text = JSON.stringify(p2Message('proto')).replace('{"schema"', '{"__proto__":{"polluted":1,"schema":"x"},"constructor":{"prototype":{"polluted":1}},"schema"');
    const r = await h.handle(platformRequest(text));
    expect(r.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(rec.calls.map((c) => c.id)).toEqual(['proto']);
  });
});

describe('idempotency (webhook.md §5)', () => {
  it('acknowledges a duplicate event_id / uuid with 200 and does not dispatch it again', async () => {
    const { dispatcher, rec } = recordingDispatcher({ idempotency: new MemoryIdempotencyStore() });
    const h = createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, ...opts });
    const msg = p2Message('dup-1');
    const v1 = v1Message('dup-u');
    for (let i = 0; i < 3; i++) {
      // Every retry is a fresh request: new IV, nonce, timestamp.
      expect((await h.handle(platformRequest(msg, { key: KEY }))).status).toBe(200);
      expect((await h.handle(platformRequest(v1, { key: KEY }))).status).toBe(200);
    }
    expect(rec.calls.map((c) => c.id)).toEqual(['dup-1', 'dup-u']);
  });

  it('a handler failure does not mark the event as seen: the retry dispatches again', async () => {
    let failures = 1;
    const { dispatcher, rec } = recordingDispatcher({ idempotency: new MemoryIdempotencyStore() }, { fail: () => failures-- > 0 });
    const h = createWebhookHandler(dispatcher, { verificationToken: TOKEN, ...opts });
    const msg = p2Message('retry-1');
    expect((await h.handle(platformRequest(msg))).status).toBe(500);
    expect((await h.handle(platformRequest(msg))).status).toBe(200);
    expect((await h.handle(platformRequest(msg))).status).toBe(200);
    expect(rec.calls.map((c) => c.id)).toEqual(['retry-1', 'retry-1']);
  });

  it('MemoryIdempotencyStore is bounded and forgets keys after the TTL', async () => {
    let now = 1_000_000;
    const store = new MemoryIdempotencyStore({ maxEntries: 3, ttlMs: 1000, pendingTtlMs: 100, now: () => now });
    for (const k of ['a', 'b', 'c', 'd']) {
      expect(await store.claim(k)).toBe('claimed');
      await store.complete(k);
    }
    expect(store.size).toBe(3);
    expect(await store.claim('a')).toBe('claimed'); // evicted as the oldest
    expect(await store.claim('d')).toBe('done');
    expect(await store.claim('a')).toBe('pending');
    now += 101; // a crashed worker's pending claim expires
    expect(await store.claim('a')).toBe('claimed');
    now += 1001;
    expect(await store.claim('d')).toBe('claimed'); // completed key past its TTL
  });
});
