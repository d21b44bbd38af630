import { createHash } from 'node:crypto';
/** Legacy message-card actions on their own handler (webhook.md §6): SHA-1 with the Verification Token. */
import { describe, expect, it } from 'vitest';
import { LarkEventError, silentLogger } from '../../../src/index.js';
import { computeSignature, createLegacyCardHandler, encryptBody, signRequest } from '../../../src/entries/webhook.js';
import type { LegacyCardAction } from '../../../src/entries/webhook.js';
import { challenge, JSON_CT, KEY, p2Message, parse, TOKEN } from './helpers.js';

const action = (value: Record<string, unknown> = { key: 'v' }): LegacyCardAction => ({
  open_id: 'ou_84aad35d084aa403a838cf73ee18467',
  user_id: 'e33ggbyz',
  tenant_key: '736588c9260f175e',
  open_message_id: 'om_5ce6d572455d361153b7cb51da133945',
  open_chat_id: 'oc_5ce6d572455d361153b7cb51da133945',
  token: 'c-8e0d9c0f1bc1a3a1ee46f1e15b1d3d1c7aa0f7b0',
  action: { value, tag: 'button' },
});

const sha1Request = (text: string, secret = TOKEN) => ({
  method: 'POST',
  path: '/webhook/card',
  headers: { ...JSON_CT, ...signRequest(text, secret, { algorithm: 'sha1' }) },
  body: Buffer.from(text),
});

describe('createLegacyCardHandler', () => {
  it('verifies the SHA-1 signature over the raw bytes and answers with the returned card', async () => {
    const seen: LegacyCardAction[] = [];
    const h = createLegacyCardHandler(
      (a) => {
        seen.push(a);
        return { config: { wide_screen_mode: true }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: `got ${String(a.action.value?.key)}` } }] };
      },
      { verificationToken: TOKEN, logger: silentLogger },
    );
    const text = ` ${JSON.stringify(action()).replace('"tag":"button"', '"tag" : "butt\\u006fn"')}\n`;
    const headers = signRequest(text, TOKEN, { algorithm: 'sha1', nonce: 'abc' });
    // webhook.md §6, computed independently: hex(SHA-1(timestamp + nonce + verificationToken + rawBody)).
    expect(headers['x-lark-signature']).toBe(createHash('sha1').update(headers['x-lark-request-timestamp']! + 'abc' + TOKEN + text).digest('hex'));
    expect(headers['x-lark-signature']).toHaveLength(40);
    const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...headers }, body: Buffer.from(text) });
    expect(r.status).toBe(200);
    expect(parse(r.body)).toEqual({ config: { wide_screen_mode: true }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'got v' } }] });
    expect(seen[0]!.action.tag).toBe('button');
  });

  it('answers a toast, or {} when the handler returns nothing', async () => {
    const toast = createLegacyCardHandler(() => ({ toast: { type: 'success', content: 'ok' } }), { verificationToken: TOKEN, logger: silentLogger });
    expect(parse((await toast.handle(sha1Request(JSON.stringify(action())))).body)).toEqual({ toast: { type: 'success', content: 'ok' } });
    const nothing = createLegacyCardHandler(() => undefined, { verificationToken: TOKEN, logger: silentLogger });
    const r = await nothing.handle(sha1Request(JSON.stringify(action())));
    expect([r.status, parse(r.body)]).toEqual([200, {}]);
  });

  it('rejects a missing or wrong signature (401), and a SHA-256 or Encrypt Key signature', async () => {
    let calls = 0;
    const h = createLegacyCardHandler(() => void calls++, { verificationToken: TOKEN, logger: silentLogger });
    const text = JSON.stringify(action());
    expect(parse((await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(text) })).body)).toEqual({ error: 'missing signature header', header: 'X-Lark-Signature' });
    for (const headers of [signRequest(text, 'other token', { algorithm: 'sha1' }), signRequest(text, TOKEN, { algorithm: 'sha256' })]) {
      const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...headers }, body: Buffer.from(text) });
      expect([r.status, parse(r.body).error]).toEqual([401, 'signature mismatch']);
    }
    const stale = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(text, TOKEN, { algorithm: 'sha1', timestamp: '1600000000' }) }, body: Buffer.from(text) });
    expect([stale.status, parse(stale.body).header]).toEqual([401, 'X-Lark-Request-Timestamp']);
    expect(calls).toBe(0);
  });

  it('answers the card URL challenge unsigned, token checked', async () => {
    const h = createLegacyCardHandler(() => undefined, { verificationToken: TOKEN, logger: silentLogger });
    const ok = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(JSON.stringify(challenge('card-ch'))) });
    expect(parse(ok.body)).toEqual({ challenge: 'card-ch' });
    const bad = await h.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(JSON.stringify(challenge('x', 'nope'))) });
    expect([bad.status, parse(bad.body).pointer]).toEqual([401, '/token']);
  });

  it('decrypts encrypted card requests (signed with SHA-256 and the Encrypt Key, like events)', async () => {
    const h = createLegacyCardHandler((a) => ({ toast: { type: 'info', content: a.open_id } }), { verificationToken: TOKEN, encryptKey: KEY, logger: silentLogger });
    const text = encryptBody(action(), KEY);
    const r = await h.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(text, KEY) }, body: Buffer.from(text) });
    expect(parse(r.body)).toEqual({ toast: { type: 'info', content: 'ou_84aad35d084aa403a838cf73ee18467' } });
  });

  it('500 when the handler throws or returns a non-object; 400 for schema 2.0 bodies and (reject mode) invalid actions', async () => {
    const throwing = createLegacyCardHandler(() => { throw new Error('nope'); }, { verificationToken: TOKEN, logger: silentLogger });
    expect((await throwing.handle(sha1Request(JSON.stringify(action())))).status).toBe(500);
    const weird = createLegacyCardHandler(() => 'text' as unknown as Record<string, unknown>, { verificationToken: TOKEN, logger: silentLogger });
    expect(parse((await weird.handle(sha1Request(JSON.stringify(action())))).body)).toEqual({ error: 'invalid legacy card response' });
    const strict = createLegacyCardHandler(() => undefined, { verificationToken: TOKEN, validation: 'reject', logger: silentLogger });
    const missing = await strict.handle(sha1Request(JSON.stringify({ ...action(), open_id: 5 })));
    expect(missing.status).toBe(400);
    expect(JSON.stringify(parse(missing.body).details)).toContain('/open_id');
    const v2 = await strict.handle(sha1Request(JSON.stringify(p2Message())));
    expect([v2.status, parse(v2.body).pointer]).toEqual([400, '/schema']);
  });

  it('needs the Verification Token', () => {
    expect(() => createLegacyCardHandler(() => undefined, { verificationToken: '' })).toThrow(LarkEventError);
  });

  it('rejects an empty encryptKey like the event receiver (undefined means none)', () => {
    const build = (encryptKey: string | undefined) => () => createLegacyCardHandler(() => undefined, { verificationToken: TOKEN, encryptKey, logger: silentLogger });
    expect(build('')).toThrow(LarkEventError);
    expect(build('')).toThrow(/^encryptKey is empty: leave it undefined when the app has no Encrypt Key$/);
    expect(build(undefined)).not.toThrow();
  });
});
