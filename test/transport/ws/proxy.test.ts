/** WSClient through an HTTP proxy: endpoint discovery and the WebSocket upgrade both tunnel with CONNECT. */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { createProxy } from 'proxy';
import { describe, expect, it } from 'vitest';
import { LarkEventError } from '../../../src/index.js';
import { WSClient, WSOptionError } from '../../../src/transport/ws/index.js';
import type { WSClientOptions } from '../../../src/transport/ws/index.js';
import type { Emulator } from '../../../src/emulator/index.js';
import { APP_ID, APP_SECRET, client, dispatcher, emulator, onCleanup, waitFor } from './helpers.js';

interface Tunnel {
  /** host:port the client asked the proxy to CONNECT to. */
  readonly target: string;
  /** The first request line sent through the tunnel (`POST /callback/ws/endpoint …`, `GET /ws/v2?… `). */
  firstLine: string;
}

/** A loopback HTTP proxy (the `proxy` package) that records every CONNECT tunnel and what went through it. */
async function startProxy(): Promise<{ url: string; tunnels: Tunnel[] }> {
  const server = createProxy(http.createServer());
  const tunnels: Tunnel[] = [];
  server.on('connect', (req: http.IncomingMessage, socket: Socket) => {
    const tunnel: Tunnel = { target: req.url ?? '', firstLine: '' };
    tunnels.push(tunnel);
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      const end = seen.indexOf('\r\n');
      if (end === -1) return;
      tunnel.firstLine = seen.slice(0, end);
      socket.off('data', onData);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels };
}

/** A client whose handler records the event ids it receives. */
function receivingClient(emu: Emulator, options: Partial<WSClientOptions>) {
  const received: string[] = [];
  const d = dispatcher().register_p2_im_message_receive_v1((_e, ctx) => {
    received.push(ctx.id ?? '');
  });
  return { c: client(emu, { dispatcher: d, ...options }), received };
}

const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];

/** Sets the proxy variables for this test only (everything else about the environment unset). */
function proxyEnv(values: Record<string, string>): void {
  const saved = new Map(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, values);
  onCleanup(() => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

function expectBothThroughProxy(tunnels: readonly Tunnel[], emu: Emulator): void {
  const target = `127.0.0.1:${emu.port}`;
  expect(tunnels.map((t) => t.target)).toEqual([target, target]);
  expect(tunnels[0]!.firstLine).toMatch(/^POST \/callback\/ws\/endpoint HTTP\/1\.1$/);
  expect(tunnels[1]!.firstLine).toMatch(/^GET \/ws\/v2\?.* HTTP\/1\.1$/);
  expect(emu.stats().endpointRequests).toBe(1);
  expect(emu.stats().handshakes).toBe(1);
}

describe('WSClient through an HTTP proxy', () => {
  it('proxy: URL tunnels endpoint discovery and the WebSocket through the proxy, and events arrive', async () => {
    const emu = await emulator();
    const proxy = await startProxy();
    const { c, received } = receivingClient(emu, { proxy: proxy.url });
    await c.start();
    const answer = await emu.trigger('im.message.receive_v1', { retries: 0 });
    expect(answer.code).toBe(200);
    expect(received).toEqual([answer.id]);
    expectBothThroughProxy(proxy.tunnels, emu);
  });

  it("proxy: 'env' honours HTTP_PROXY for http:/ws: URLs", async () => {
    const emu = await emulator();
    const proxy = await startProxy();
    proxyEnv({ HTTP_PROXY: proxy.url });
    const { c, received } = receivingClient(emu, { proxy: 'env' });
    await c.start();
    const answer = await emu.trigger('im.message.receive_v1', { retries: 0 });
    expect([answer.code, received]).toEqual([200, [answer.id]]);
    expectBothThroughProxy(proxy.tunnels, emu);
  });

  it("proxy: 'env' connects directly for hosts in NO_PROXY, and when no variable applies", async () => {
    const emu = await emulator();
    const proxy = await startProxy();
    // HTTPS_PROXY is for https:/wss: only; the emulator speaks http:/ws:.
    proxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
    const first = receivingClient(emu, { proxy: 'env' });
    await first.c.start();
    await first.c.close();
    proxyEnv({ HTTPS_PROXY: proxy.url });
    const second = receivingClient(emu, { proxy: 'env' });
    await second.c.start();
    const answer = await emu.trigger('im.message.receive_v1', { retries: 0 });
    expect([answer.code, second.received]).toEqual([200, [answer.id]]);
    expect(proxy.tunnels).toEqual([]);
    expect(emu.stats().handshakes).toBe(2);
  });

  it('ignores the proxy variables unless asked (no proxy option: direct)', async () => {
    const emu = await emulator();
    const proxy = await startProxy();
    proxyEnv({ HTTP_PROXY: proxy.url, ALL_PROXY: proxy.url });
    const { c } = receivingClient(emu, {});
    await c.start();
    expect(c.state).toBe('connected');
    expect(proxy.tunnels).toEqual([]);
  });

  it('agent: the given http.Agent carries both connections', async () => {
    const emu = await emulator();
    const proxy = await startProxy();
    const agent = new HttpsProxyAgent(proxy.url);
    onCleanup(() => agent.destroy());
    const { c, received } = receivingClient(emu, { agent });
    await c.start();
    const answer = await emu.trigger('im.message.receive_v1', { retries: 0 });
    expect([answer.code, received]).toEqual([200, [answer.id]]);
    expectBothThroughProxy(proxy.tunnels, emu);
  });

  it('an unreachable proxy is a retryable connect failure naming the cause', async () => {
    const emu = await emulator();
    // A port nobody listens on: bind one, then close it.
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const warnings: string[] = [];
    const c = client(emu, { proxy: `http://127.0.0.1:${port}`, logger: { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} } });
    const started = c.start();
    started.catch(() => undefined);
    await waitFor(() => warnings.length > 0, 5_000, 'a failed attempt');
    expect(c.state).toBe('reconnecting');
    await c.close();
    await expect(started).rejects.toThrow(/closed/);
    expect(warnings[0]).toMatch(/^ws: connect failed: endpoint request to \S+ failed: .*ECONNREFUSED/);
    expect(emu.stats().endpointRequests).toBe(0);
  });

  it('rejects bad proxy options with a WSOptionError naming the option', () => {
    const d = dispatcher();
    const base = { appId: APP_ID, appSecret: APP_SECRET, dispatcher: d };
    const cases: Array<[Partial<WSClientOptions>, string, RegExp]> = [
      [{ proxy: 'not a url' }, 'proxy', /proxy must be 'env' or a proxy URL/],
      [{ proxy: 'socks5://127.0.0.1:1080' }, 'proxy', /proxy URL must be http: or https:, got socks5:/],
      [{ proxy: 'env', agent: new http.Agent() }, 'proxy', /either agent or proxy, not both/],
    ];
    for (const [options, option, message] of cases) {
      let error: unknown;
      try {
        new WSClient({ ...base, ...options });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(WSOptionError);
      expect(error).toBeInstanceOf(LarkEventError);
      expect((error as WSOptionError).option).toBe(option);
      expect((error as Error).message).toMatch(message);
    }
  });
});
