/** Key rotation: `encryptKey` and `verificationToken` as lists (the current one first; the others still verify). */
import { describe, expect, it } from 'vitest';
import { LarkEventError, silentLogger } from '../../../src/index.js';
import { AesKeyRing, createLegacyCardHandler, createWebhookHandler, encryptBody, signRequest, signingSecret, verifySignature } from '../../../src/entries/webhook.js';
import { challenge, JSON_CT, p2Message, parse, platformRequest, recordingDispatcher, TOKEN, v1Message } from './helpers.js';

const OLD_KEY = 'ek_old key, still configured on some platform nodes';
const NEW_KEY = 'ek_new key ✓';
const STRANGER_KEY = 'ek_a key nobody configured';
const OLD_TOKEN = 'vt_old_0123456789abcdef';
const NEW_TOKEN = TOKEN;
const opts = { logger: silentLogger };

type Json = Record<string, unknown>;

function withToken<T extends Json>(payload: T, token: string): T {
  if (payload.header) (payload.header as Json).token = token;
  else (payload as Json).token = token;
  return payload;
}

describe('encryptKey as a list', () => {
  it('accepts deliveries encrypted and signed with the old key or the new key, and rejects a third with 401', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: [NEW_KEY, OLD_KEY], verificationToken: TOKEN, ...opts });
    const oldMsg = p2Message('rot-old');
    const newMsg = p2Message('rot-new');
    const r1 = await h.handle(platformRequest(oldMsg, { key: OLD_KEY }));
    const r2 = await h.handle(platformRequest(newMsg, { key: NEW_KEY }));
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(rec.calls.map((c) => [c.id, c.payload])).toEqual([['rot-old', oldMsg], ['rot-new', newMsg]]);

    const third = await h.handle(platformRequest(p2Message('rot-third'), { key: STRANGER_KEY }));
    expect(third.status).toBe(401);
    expect(parse(third.body)).toEqual({ error: 'signature mismatch: signed with none of the 2 configured keys', header: 'X-Lark-Signature' });
    expect(rec.calls).toHaveLength(2);
  });

  it('decrypts with the key the signature names (no trying other keys on a signed body)', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: [NEW_KEY, OLD_KEY], ...opts });
    // Encrypted with the old key but signed with the new one: the signature picks the new key, which cannot decrypt it.
    const text = encryptBody(p2Message('mixed'), OLD_KEY);
    const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(text, NEW_KEY) }, body: Buffer.from(text) });
    expect(r.status).toBe(400);
    expect(parse(r.body)).toEqual({ error: 'cannot decrypt "encrypt": wrong Encrypt Key or bad padding', pointer: '/encrypt' });
    expect(rec.calls).toHaveLength(0);
  });

  it('answers an unsigned encrypted challenge with either key (tried in order), and a clear 400 for a third', async () => {
    const { dispatcher } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: [NEW_KEY, OLD_KEY], verificationToken: TOKEN, ...opts });
    for (const key of [OLD_KEY, NEW_KEY]) {
      const r = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(encryptBody(challenge(`ch-${key.length}`), key)) });
      expect([r.status, parse(r.body)]).toEqual([200, { challenge: `ch-${key.length}` }]);
    }
    const bad = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(encryptBody(challenge('x'), STRANGER_KEY)) });
    expect(bad.status).toBe(400);
    expect(parse(bad.body)).toEqual({ error: 'cannot decrypt "encrypt" with any of the 2 configured Encrypt Keys: wrong key or bad padding', pointer: '/encrypt' });
  });

  it('a one-key list behaves like the key itself', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: [NEW_KEY], ...opts });
    expect((await h.handle(platformRequest(p2Message('one'), { key: NEW_KEY }))).status).toBe(200);
    const bad = await h.handle(platformRequest(p2Message('two'), { key: OLD_KEY }));
    expect([bad.status, parse(bad.body).error]).toEqual([401, 'signature mismatch']);
    expect(rec.calls.map((c) => c.id)).toEqual(['one']);
  });

  it('rejects empty lists and empty entries when the receiver is created, naming the option', () => {
    const { dispatcher } = recordingDispatcher();
    const error = (o: Parameters<typeof createWebhookHandler>[1]) => {
      try {
        createWebhookHandler(dispatcher, o);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const cases: Array<[Parameters<typeof createWebhookHandler>[1], RegExp]> = [
      [{ encryptKey: [] }, /^encryptKey is an empty list/],
      [{ encryptKey: [NEW_KEY, ''] }, /^encryptKey\[1\] must be a non-empty string/],
      [{ verificationToken: [] }, /^verificationToken is an empty list/],
      [{ verificationToken: [TOKEN, 42 as unknown as string] }, /^verificationToken\[1\] must be a non-empty string/],
    ];
    for (const [o, message] of cases) {
      const err = error(o);
      expect(err).toBeInstanceOf(LarkEventError);
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe('verificationToken as a list', () => {
  it('accepts schema 2.0, v1 and challenge bodies carrying the old or the new token; a third gets 401', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { verificationToken: [NEW_TOKEN, OLD_TOKEN], ...opts });
    for (const token of [OLD_TOKEN, NEW_TOKEN]) {
      expect((await h.handle(platformRequest(withToken(p2Message(`p2-${token}`), token)))).status).toBe(200);
      expect((await h.handle(platformRequest(withToken(v1Message(`v1-${token}`), token)))).status).toBe(200);
      const ch = await h.handle(platformRequest(challenge('c', token)));
      expect([ch.status, parse(ch.body)]).toEqual([200, { challenge: 'c' }]);
    }
    expect(rec.calls.map((c) => c.id)).toEqual([`p2-${OLD_TOKEN}`, `v1-${OLD_TOKEN}`, `p2-${NEW_TOKEN}`, `v1-${NEW_TOKEN}`]);

    const p2 = await h.handle(platformRequest(withToken(p2Message('forged'), 'vt_stranger')));
    expect([p2.status, parse(p2.body)]).toEqual([401, { error: 'verification token mismatch: none of the 2 configured tokens', pointer: '/header/token' }]);
    const ch = await h.handle(platformRequest(challenge('c', 'vt_stranger')));
    expect([ch.status, parse(ch.body).pointer]).toEqual([401, '/token']);
    expect(rec.calls).toHaveLength(4);
  });

  it('checks the token inside encrypted bodies against the list too', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const h = createWebhookHandler(dispatcher, { encryptKey: [NEW_KEY, OLD_KEY], verificationToken: [NEW_TOKEN, OLD_TOKEN], ...opts });
    expect((await h.handle(platformRequest(withToken(p2Message('enc-old'), OLD_TOKEN), { key: OLD_KEY }))).status).toBe(200);
    const forged = await h.handle(platformRequest(withToken(p2Message('enc-forged'), 'vt_stranger'), { key: NEW_KEY }));
    expect([forged.status, parse(forged.body).pointer]).toEqual([401, '/header/token']);
    expect(rec.calls.map((c) => c.id)).toEqual(['enc-old']);
  });
});

describe('legacy card handler with lists', () => {
  const action = (token: string) => ({ open_id: 'ou_1', tenant_key: 't', open_message_id: 'om_1', token, action: { value: { k: 'v' }, tag: 'button' } });

  it('verifies the SHA-1 signature with any configured token, the challenge too; a third is 401', async () => {
    let calls = 0;
    const h = createLegacyCardHandler(() => void calls++, { verificationToken: [NEW_TOKEN, OLD_TOKEN], validation: 'off', ...opts });
    for (const token of [OLD_TOKEN, NEW_TOKEN]) {
      const text = JSON.stringify(action(token));
      const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(text, token, { algorithm: 'sha1' }) }, body: Buffer.from(text) });
      expect(r.status).toBe(200);
      const ch = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(JSON.stringify(challenge('card', token))) });
      expect(parse(ch.body)).toEqual({ challenge: 'card' });
    }
    const text = JSON.stringify(action('vt_stranger'));
    const bad = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(text, 'vt_stranger', { algorithm: 'sha1' }) }, body: Buffer.from(text) });
    expect([bad.status, parse(bad.body).error]).toEqual([401, 'signature mismatch: signed with none of the 2 configured keys']);
    const ch = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(JSON.stringify(challenge('x', 'vt_stranger'))) });
    expect([ch.status, parse(ch.body).error]).toEqual([401, 'verification token mismatch: none of the 2 configured tokens']);
    expect(calls).toBe(2);
  });

  it('decrypts encrypted card actions with the key their signature names', async () => {
    const seen: string[] = [];
    const h = createLegacyCardHandler((a) => void seen.push(a.open_id), { verificationToken: TOKEN, encryptKey: [NEW_KEY, OLD_KEY], validation: 'off', ...opts });
    for (const key of [OLD_KEY, NEW_KEY, STRANGER_KEY]) {
      const text = encryptBody(action(TOKEN), key);
      const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(text, key) }, body: Buffer.from(text) });
      expect(r.status).toBe(key === STRANGER_KEY ? 401 : 200);
    }
    expect(seen).toEqual(['ou_1', 'ou_1']);
  });
});

describe('the signature and key-ring primitives', () => {
  it('verifySignature returns the key that verified; signingSecret finds it or nothing', () => {
    const body = Buffer.from('{"encrypt":"x"}');
    const headers = signRequest(body, OLD_KEY);
    const h = { timestamp: headers['x-lark-request-timestamp'], nonce: headers['x-lark-request-nonce'], signature: headers['x-lark-signature'] };
    expect(verifySignature(h, body, { secret: [NEW_KEY, OLD_KEY] })).toBe(OLD_KEY);
    expect(verifySignature(h, body, { secret: OLD_KEY })).toBe(OLD_KEY);
    expect(signingSecret(h, body, [NEW_KEY, STRANGER_KEY])).toBeUndefined();
    expect(signingSecret({ ...h, nonce: undefined }, body, [OLD_KEY])).toBeUndefined();
  });

  it('AesKeyRing decrypts with whichever key encrypted, and names the cipher of each key', () => {
    const ring = new AesKeyRing([NEW_KEY, OLD_KEY]);
    const encrypted = (JSON.parse(encryptBody({ hello: 'world' }, OLD_KEY)) as { encrypt: string }).encrypt;
    expect(JSON.parse(ring.decrypt(encrypted))).toEqual({ hello: 'world' });
    expect(JSON.parse(ring.cipher(OLD_KEY).decrypt(encrypted))).toEqual({ hello: 'world' });
    expect(() => ring.cipher(NEW_KEY).decrypt(encrypted)).toThrow(/wrong Encrypt Key/);
    expect(() => ring.decrypt('not base64!')).toThrow(/not valid base64/);
  });
});
