/** One emulator serving several apps: per-app credentials, connections, deliveries and webhooks. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { WSManager } from '../../src/entries/ws.js';
import { dispatcher, onCleanup } from '../transport/ws/helpers.js';

const A = 'cli_emu_app_a';
const B = 'cli_emu_app_b';
const SECRET_A = 'secret-of-app-a';
const SECRET_B = 'secret-of-app-b';

async function twoApps(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const emu = await startEmulator({
    apps: [
      { appId: A, appSecret: SECRET_A, verificationToken: 'token-a' },
      { appId: B, appSecret: SECRET_B, verificationToken: 'token-b' },
    ],
    answerTimeoutMs: 1_000,
    redeliveryScheduleMs: [50],
    ...options,
  });
  onCleanup(() => emu.close());
  return emu;
}

/** A dispatcher recording the headers of the messages it receives. */
function recording(): { d: ReturnType<typeof dispatcher>; seen: Array<{ id: string | undefined; appId: unknown; token: unknown }> } {
  const seen: Array<{ id: string | undefined; appId: unknown; token: unknown }> = [];
  const d = dispatcher().register_p2_im_message_receive_v1((e, ctx) => {
    seen.push({ id: ctx.id, appId: e.header.app_id, token: e.header.token });
  });
  return { d, seen };
}

async function pullEndpoint(emu: Emulator, appId: string, secret: string): Promise<{ code: number }> {
  const res = await fetch(`${emu.url}/callback/ws/endpoint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AppID: appId, AppSecret: secret }) });
  return (await res.json()) as { code: number };
}

describe('emulator: several apps', () => {
  it('serves a WSManager with both apps; a trigger to B reaches only B, with B\'s app_id and token', async () => {
    const emu = await twoApps();
    expect(emu.appIds).toEqual([A, B]);
    const a = recording();
    const b = recording();
    const m = new WSManager({
      logger: silentLogger,
      reconnectBaseMs: 20,
      apps: { [A]: { appSecret: SECRET_A, domain: emu.url, dispatcher: a.d }, [B]: { appSecret: SECRET_B, domain: emu.url, dispatcher: b.d } },
    });
    onCleanup(() => m.close());
    await m.start();
    expect(emu.connections().map((c) => c.appId).sort()).toEqual([A, B]);
    expect(emu.connections(B)).toHaveLength(1);

    const toB = await emu.trigger('im.message.receive_v1', { appId: B, retries: 0 });
    expect(toB).toMatchObject({ code: 200, app_id: B, delivered_to: emu.connections(B)[0]!.deviceId });
    expect(b.seen).toEqual([{ id: toB.id, appId: B, token: 'token-b' }]);
    expect(a.seen).toEqual([]);

    const toA = await emu.trigger('im.message.receive_v1', { appId: A, retries: 0 });
    expect(toA.code).toBe(200);
    expect(a.seen).toEqual([{ id: toA.id, appId: A, token: 'token-a' }]);
    expect(b.seen).toHaveLength(1);
  });

  it('authenticates each app with its own secret only', async () => {
    const emu = await twoApps();
    expect((await pullEndpoint(emu, A, SECRET_A)).code).toBe(0);
    expect((await pullEndpoint(emu, B, SECRET_B)).code).toBe(0);
    expect((await pullEndpoint(emu, A, 'wrong')).code).toBe(10003);
    expect((await pullEndpoint(emu, A, SECRET_B)).code).toBe(10003);
    expect((await pullEndpoint(emu, 'cli_unknown', SECRET_A)).code).toBe(10003);
  });

  it('refuses a trigger without appId when it is ambiguous, and an unknown appId, on the API and the control endpoint', async () => {
    const emu = await twoApps();
    await expect(emu.trigger('im.message.receive_v1')).rejects.toThrow(`the emulator serves 2 apps (${A}, ${B}): give appId`);
    await expect(emu.trigger('im.message.receive_v1', { appId: 'cli_nope' })).rejects.toThrow(`unknown appId "cli_nope" (the emulator serves ${A}, ${B})`);
    const post = async (body: unknown) => {
      const res = await fetch(`${emu.url}/_emulator/trigger`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { error?: string; code?: number; app_id?: string } };
    };
    expect(await post({ event_type: 'im.message.receive_v1' })).toEqual({ status: 400, body: { code: 400, error: `the emulator serves 2 apps (${A}, ${B}): give appId` } });
    expect((await post({ event_type: 'im.message.receive_v1', app_id: 7 })).body.error).toBe('"app_id" must be a non-empty string');
    // A known app with no connection: accepted, and the answer names the app.
    emu.update({ answerTimeoutMs: 30 });
    expect(await post({ event_type: 'im.message.receive_v1', app_id: B, retries: 0 })).toMatchObject({ status: 200, body: { code: 0, app_id: B } });
    expect(emu.stats().triggers).toBe(1);
  });

  it('keeps the single-app options as one app, usable alongside apps; refuses bad app lists', async () => {
    const emu = await startEmulator({ appId: A, appSecret: SECRET_A, apps: [{ appId: B, appSecret: SECRET_B }] });
    onCleanup(() => emu.close());
    expect(emu.appIds).toEqual([A, B]);
    await expect(startEmulator({})).rejects.toThrow('startEmulator: appId and appSecret (or apps: [{ appId, appSecret }, …]) are required');
    await expect(startEmulator({ appId: A })).rejects.toThrow('startEmulator: appId and appSecret go together');
    await expect(startEmulator({ apps: [{ appId: A, appSecret: '' }] })).rejects.toThrow('startEmulator: apps[0].appSecret must be a non-empty string');
    await expect(startEmulator({ appId: A, appSecret: 's', apps: [{ appId: A, appSecret: 't' }] })).rejects.toThrow(`startEmulator: app "${A}" is given twice`);
  });

  it('pushes webhooks to each app\'s own URL, falling back to the shared one', async () => {
    const hits: Array<{ path: string; appId: unknown }> = [];
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        hits.push({ path: req.url ?? '', appId: (JSON.parse(text) as { header?: { app_id?: unknown } }).header?.app_id });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const emu = await startEmulator({
      webhook: `${base}/shared`,
      apps: [
        { appId: A, appSecret: SECRET_A, webhook: `${base}/a` },
        { appId: B, appSecret: SECRET_B },
      ],
    });
    onCleanup(() => emu.close());
    expect(await emu.trigger('im.message.receive_v1', { appId: A, via: 'webhook', retries: 0 })).toMatchObject({ code: 200, delivered_to: `${base}/a`, app_id: A });
    expect(await emu.trigger('im.message.receive_v1', { appId: B, via: 'webhook', retries: 0 })).toMatchObject({ code: 200, delivered_to: `${base}/shared`, app_id: B });
    expect(hits).toEqual([{ path: '/a', appId: A }, { path: '/shared', appId: B }]);
  });
});
