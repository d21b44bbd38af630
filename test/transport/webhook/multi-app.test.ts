/** Several apps in one process: createMultiAppHandler routes by path or by the delivery's app, to per-app dispatchers and secrets. */
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LarkEventError, silentLogger } from '../../../src/index.js';
import type { DispatchOutcome } from '../../../src/index.js';
import { createMultiAppHandler, createNodeHandler, encryptBody, signRequest } from '../../../src/entries/webhook.js';
import type { MultiAppOptions } from '../../../src/entries/webhook.js';
import { challenge, closeServer, JSON_CT, listen, p2Message, parse, platformRequest, recordingDispatcher, send, v1Message } from './helpers.js';

type Json = Record<string, unknown>;

// Counts the signatures computed (createHash) and wrappers decrypted (createDecipheriv) while routing.
const crypto = vi.hoisted(() => ({ hashes: 0, decipherings: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const createHash: typeof real.createHash = (...args) => (crypto.hashes++, real.createHash(...args));
  const createDecipheriv = ((...args: Parameters<typeof real.createDecipheriv>) => (crypto.decipherings++, real.createDecipheriv(...args))) as typeof real.createDecipheriv;
  return { ...real, default: { ...real, createHash, createDecipheriv }, createHash, createDecipheriv };
});
afterEach(() => void vi.restoreAllMocks());

const A = 'cli_a1b2c3d4e5f60001';
const B = 'cli_b1b2c3d4e5f60002';
const KEY_A = 'ek_app A';
const TOKEN_A = 'vt_app_A_token';
const TOKEN_B = 'vt_app_B_token';

/** App A: Encrypt Key and token; app B: token only. */
function twoApps(routeBy: MultiAppOptions['routeBy'], extra: Partial<MultiAppOptions> = {}) {
  const a = recordingDispatcher();
  const b = recordingDispatcher();
  const outcomes: Array<[string, DispatchOutcome['status']]> = [];
  const handler = createMultiAppHandler({
    routeBy,
    apps: {
      [A]: { dispatcher: a.dispatcher, encryptKey: KEY_A, verificationToken: TOKEN_A },
      [B]: { dispatcher: b.dispatcher, verificationToken: TOKEN_B },
    },
    onDispatch: (result, appId) => void outcomes.push([appId, result.status]),
    logger: silentLogger,
    ...extra,
  });
  return { handler, a: a.rec, b: b.rec, outcomes };
}

/** A schema 2.0 message of `appId` carrying `token`. */
function p2For(appId: string, token: string, id: string): Json {
  const m = p2Message(id);
  Object.assign(m.header as Json, { app_id: appId, token });
  return m;
}

function v1For(appId: string, token: string, uuid: string): Json {
  const m = v1Message(uuid);
  m.token = token;
  (m.event as Json).app_id = appId;
  return m;
}

describe("routeBy: 'path'", () => {
  it('sends /<prefix>/<appId> to that app, with its own secrets', async () => {
    const { handler, a, b, outcomes } = twoApps('path', { path: '/lark/' });
    const toA = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'to-a'), { key: KEY_A, path: `/lark/${A}` }));
    const toB = await handler.handle(platformRequest(p2For(B, TOKEN_B, 'to-b'), { path: `/lark/${B}?x=1` }));
    expect([toA.status, toB.status]).toEqual([200, 200]);
    expect(a.calls.map((c) => c.id)).toEqual(['to-a']);
    expect(b.calls.map((c) => c.id)).toEqual(['to-b']);
    expect(outcomes).toEqual([[A, 'handled'], [B, 'handled']]);
  });

  it("checks each app's secrets: A's delivery on B's path is 401, nothing dispatched", async () => {
    const { handler, a, b } = twoApps('path', { path: '/lark' });
    const r = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'wrong-path'), { path: `/lark/${B}` }));
    expect([r.status, parse(r.body)]).toEqual([401, { error: 'verification token mismatch', pointer: '/header/token' }]);
    // B has no Encrypt Key: an encrypted body on its path is a 400.
    const enc = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'enc'), { key: KEY_A, path: `/lark/${B}` }));
    expect([enc.status, parse(enc.body).error]).toEqual([400, 'body is encrypted but no encryptKey is configured']);
    expect([a.calls, b.calls]).toEqual([[], []]);
  });

  it('answers 404 for an unknown app or a path outside the prefix, before reading the body', async () => {
    const { handler, a, b } = twoApps('path', { path: '/lark' });
    const unknown = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'x'), { path: '/lark/cli_nobody' }));
    expect([unknown.status, parse(unknown.body)]).toEqual([404, { error: 'unknown app', app_id: 'cli_nobody' }]);
    for (const p of ['/elsewhere', '/lark', `/lark/${A}/more`, '/lark/']) {
      const r = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'y'), { path: p }));
      expect(r.status, p).toBe(404);
    }
    expect(handler.precheck({ method: 'POST', path: '/lark/cli_nobody', headers: JSON_CT })?.status).toBe(404);
    expect(handler.precheck({ method: 'GET', path: `/lark/${A}`, headers: JSON_CT })?.status).toBe(405);
    expect(handler.precheck({ method: 'POST', path: `/lark/${A}`, headers: JSON_CT })).toBeUndefined();
    expect([a.calls, b.calls]).toEqual([[], []]);
  });

  it('plugs into the node:http adapter like a single-app handler', async () => {
    const { handler, a, b } = twoApps('path', { path: '/lark' });
    const server = http.createServer(createNodeHandler(handler));
    const url = await listen(server);
    try {
      const req = platformRequest(p2For(A, TOKEN_A, 'over-http'), { key: KEY_A });
      expect((await send(`${url}/lark/${A}`, req.text, req.headers as Record<string, string>)).status).toBe(200);
      const ch = await send(`${url}/lark/${B}`, JSON.stringify(challenge('hello', TOKEN_B)));
      expect([ch.status, ch.json]).toEqual([200, { challenge: 'hello' }]);
      const unknown = await send(`${url}/lark/cli_nobody`, req.text, req.headers as Record<string, string>);
      expect([unknown.status, unknown.json]).toEqual([404, { error: 'unknown app', app_id: 'cli_nobody' }]);
    } finally {
      await closeServer(server);
    }
    expect(a.calls.map((c) => c.id)).toEqual(['over-http']);
    expect(b.calls).toEqual([]);
  });
});

describe("routeBy: 'app_id'", () => {
  it('routes plaintext deliveries by header.app_id (schema 2.0) and event.app_id (v1)', async () => {
    const { handler, a, b } = twoApps('app_id', { path: '/webhook/event' });
    const r1 = await handler.handle(platformRequest(p2For(B, TOKEN_B, 'p2-b')));
    const r2 = await handler.handle(platformRequest(v1For(B, TOKEN_B, 'v1-b')));
    // A has an Encrypt Key: its plaintext deliveries come signed.
    const r3 = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'p2-a'), { key: KEY_A, encrypt: false }));
    expect([r1.status, r2.status, r3.status]).toEqual([200, 200, 200]);
    expect(a.calls.map((c) => c.id)).toEqual(['p2-a']);
    expect(b.calls.map((c) => c.id)).toEqual(['p2-b', 'v1-b']);
  });

  it('routes encrypted deliveries to the app whose Encrypt Key the signature verifies with', async () => {
    const { handler, a, b } = twoApps('app_id');
    expect((await handler.handle(platformRequest(p2For(A, TOKEN_A, 'enc-a'), { key: KEY_A }))).status).toBe(200);
    const stranger = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'enc-x'), { key: 'ek_stranger' }));
    expect([stranger.status, parse(stranger.body)]).toEqual([401, { error: 'signature matches the Encrypt Key of none of the 1 apps', header: 'X-Lark-Signature' }]);
    expect(a.calls.map((c) => c.id)).toEqual(['enc-a']);
    expect(b.calls).toEqual([]);
  });

  it('routes challenges: encrypted ones by the key that decrypts them, plaintext ones by their token', async () => {
    const { handler, outcomes } = twoApps('app_id');
    const enc = await handler.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(encryptBody(challenge('enc-ch', TOKEN_A), KEY_A)) });
    expect([enc.status, parse(enc.body)]).toEqual([200, { challenge: 'enc-ch' }]);
    const plain = await handler.handle(platformRequest(challenge('plain-ch', TOKEN_B)));
    expect([plain.status, parse(plain.body)]).toEqual([200, { challenge: 'plain-ch' }]);
    expect(outcomes).toEqual([[A, 'challenge'], [B, 'challenge']]);
    const strangerToken = await handler.handle(platformRequest(challenge('x', 'vt_nobody')));
    expect([strangerToken.status, parse(strangerToken.body).pointer]).toEqual([401, '/token']);
    const strangerKey = await handler.handle({ method: 'POST', headers: JSON_CT, body: Buffer.from(encryptBody(challenge('x', TOKEN_A), 'ek_stranger')) });
    expect([strangerKey.status, parse(strangerKey.body).pointer]).toEqual([400, '/encrypt']);
  });

  it('unknown app → 404, no app id → 400, a forged app id → that app’s 401; nothing dispatched', async () => {
    const { handler, a, b, outcomes } = twoApps('app_id');
    const unknown = await handler.handle(platformRequest(p2For('cli_nobody', TOKEN_B, 'u')));
    expect([unknown.status, parse(unknown.body)]).toEqual([404, { error: 'unknown app', app_id: 'cli_nobody' }]);
    const noApp = p2For(B, TOKEN_B, 'n');
    delete (noApp.header as Json).app_id;
    const missing = await handler.handle(platformRequest(noApp));
    expect([missing.status, parse(missing.body)]).toEqual([400, { error: 'delivery names no app: routing by app_id needs it', pointer: '/header/app_id' }]);
    const noV1App = v1For(B, TOKEN_B, 'nv1');
    delete (noV1App.event as Json).app_id;
    expect(parse((await handler.handle(platformRequest(noV1App))).body).pointer).toBe('/event/app_id');
    // Claims app B but carries A's token: B's receiver rejects it.
    const forged = await handler.handle(platformRequest(p2For(B, TOKEN_A, 'f')));
    expect([forged.status, parse(forged.body).error]).toEqual([401, 'verification token mismatch']);
    expect([a.calls, b.calls, outcomes]).toEqual([[], [], []]);
  });

  it('answers the gate (405, 415, 404 on another path, 413) before routing', async () => {
    const { handler } = twoApps('app_id', { path: '/webhook/event', maxBodyBytes: 64 * 1024 });
    const req = platformRequest(p2For(B, TOKEN_B, 'g'));
    expect((await handler.handle({ ...req, method: 'GET' })).status).toBe(405);
    expect((await handler.handle({ ...req, headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await handler.handle({ ...req, path: '/other' })).status).toBe(404);
    const big = p2For(B, TOKEN_B, 'big');
    (big.event as Json).padding = 'x'.repeat(70 * 1024);
    expect((await handler.handle(platformRequest(big))).status).toBe(413);
    expect(handler.path).toBe('/webhook/event');
    expect(handler.precheck({ method: 'POST', path: '/other', headers: JSON_CT })?.status).toBe(404);
  });
});

describe('createMultiAppHandler options', () => {
  it('gives each app its own handler and reports handler failures with the app id', async () => {
    const failing = recordingDispatcher({}, { fail: () => true });
    const errors: Array<[string, string | undefined]> = [];
    const handler = createMultiAppHandler({
      routeBy: 'app_id',
      apps: { [B]: { dispatcher: failing.dispatcher, verificationToken: TOKEN_B } },
      onError: (_err, info, appId) => void errors.push([appId, info.eventType]),
      logger: silentLogger,
    });
    expect(handler.appIds).toEqual([B]);
    expect(handler.app(B)).toBeDefined();
    expect(handler.app(A)).toBeUndefined();
    const r = await handler.handle(platformRequest(p2For(B, TOKEN_B, 'boom')));
    expect(r.status).toBe(500);
    expect(errors).toEqual([[B, 'im.message.receive_v1']]);
  });

  it('rejects bad configurations with a LarkEventError naming the app', () => {
    const { dispatcher } = recordingDispatcher();
    const cases: Array<[MultiAppOptions, RegExp]> = [
      [{ routeBy: 'path', apps: {} }, /at least one app/],
      [{ routeBy: 'somehow' as 'path', apps: { [A]: { dispatcher, verificationToken: TOKEN_A } } }, /routeBy must be 'path' or 'app_id'/],
      [{ routeBy: 'path', apps: { 'a/b': { dispatcher, verificationToken: TOKEN_A } } }, /cannot be a path segment/],
      [{ routeBy: 'app_id', apps: { [A]: { dispatcher } } }, new RegExp(`^apps\\["${A}"\\]: webhook receiver without encryptKey or verificationToken`)],
      [{ routeBy: 'app_id', apps: { [A]: { dispatcher, encryptKey: [] } } }, /encryptKey is an empty list/],
    ];
    for (const [options, message] of cases) {
      expect(() => createMultiAppHandler({ ...options, logger: silentLogger })).toThrow(LarkEventError);
      expect(() => createMultiAppHandler({ ...options, logger: silentLogger })).toThrow(message);
    }
  });

  it('takes key rotation per app', async () => {
    const { dispatcher, rec } = recordingDispatcher();
    const handler = createMultiAppHandler({ routeBy: 'app_id', apps: { [A]: { dispatcher, encryptKey: ['ek_new', KEY_A], verificationToken: TOKEN_A } }, logger: silentLogger });
    for (const key of ['ek_new', KEY_A]) {
      const text = encryptBody(p2For(A, TOKEN_A, `rot-${key}`), key);
      const r = await handler.handle({ method: 'POST', headers: { ...JSON_CT, ...signRequest(text, key) }, body: Buffer.from(text) });
      expect(r.status).toBe(200);
    }
    expect(rec.calls.map((c) => c.id)).toEqual(['rot-ek_new', `rot-${KEY_A}`]);
  });

  it('reads the body once: one JSON parse per body, one signature, one decryption, for the router and the app together', async () => {
    const { handler, a, b, outcomes } = twoApps('app_id');
    const requests = {
      plaintext: platformRequest(p2For(B, TOKEN_B, 'once-b')),
      signedPlaintext: platformRequest(p2For(A, TOKEN_A, 'once-a-plain'), { key: KEY_A, encrypt: false }),
      encrypted: platformRequest(p2For(A, TOKEN_A, 'once-a'), { key: KEY_A }),
      unsignedChallenge: { method: 'POST', headers: JSON_CT, body: Buffer.from(encryptBody(challenge('once-ch', TOKEN_A), KEY_A)) },
    };
    const counted: Record<string, [number, number, number, number]> = {};
    for (const [name, request] of Object.entries(requests)) {
      const parses = vi.spyOn(JSON, 'parse');
      crypto.hashes = 0;
      crypto.decipherings = 0;
      const r = await handler.handle(request);
      counted[name] = [r.status, parses.mock.calls.length, crypto.hashes, crypto.decipherings];
      parses.mockRestore();
    }
    // [status, JSON parses (an encrypted body has two: wrapper and plaintext), signatures, decryptions]
    expect(counted).toEqual({ plaintext: [200, 1, 0, 0], signedPlaintext: [200, 1, 1, 0], encrypted: [200, 2, 1, 1], unsignedChallenge: [200, 2, 0, 1] });
    expect(a.calls.map((c) => c.id)).toEqual(['once-a-plain', 'once-a']);
    expect(b.calls.map((c) => c.id)).toEqual(['once-b']);
    expect(outcomes.at(-1)).toEqual([A, 'challenge']);
  });

  it('still checks the replay window of a signature the router matched', async () => {
    const { handler, a } = twoApps('app_id');
    const stale = await handler.handle(platformRequest(p2For(A, TOKEN_A, 'stale'), { key: KEY_A, timestamp: String(Math.floor(Date.now() / 1000) - 3600) }));
    expect([stale.status, parse(stale.body)]).toEqual([401, { error: 'request timestamp too old (replay window)', header: 'X-Lark-Request-Timestamp', toleranceMs: 300_000 }]);
    expect(a.calls).toEqual([]);
  });
});
