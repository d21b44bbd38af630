/**
 * Slowloris against `lark-events serve`: many connections that trickle their headers or their body
 * never finish a request. With the server limits (small ones here) they are closed at the header
 * and request timeouts while valid deliveries keep getting 200; the connection cap turns away
 * connections beyond it until the slow ones are gone.
 */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe } from '../../src/cli/commands/serve.js';
import type { RunningServer } from '../../src/cli/commands/serve.js';
import { p2Message, send, TOKEN } from '../transport/webhook/helpers.js';
import { waitFor } from '../transport/ws/helpers.js';

const HEADERS_MS = 1_000;
const REQUEST_MS = 1_500;
const KEEP_ALIVE_MS = 500;
/** Node closes an idle keep-alive socket up to 1 s after keepAliveTimeout (its buffer for the client's own timer). */
const KEEP_ALIVE_BUFFER_MS = 1_000;
/** Slack for a loaded machine: the check runs every 250 ms here, the event loop may lag on top. */
const SLACK_MS = 5_000;

const running: RunningServer[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const r of running.splice(0)) await r.close();
});

async function serve(extra: { maxConnections?: number } = {}): Promise<{ server: RunningServer; lines: string[]; port: number }> {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
  const server = await startServe({
    port: 0,
    verificationToken: TOKEN,
    headersTimeoutMs: HEADERS_MS,
    requestTimeoutMs: REQUEST_MS,
    keepAliveTimeoutMs: KEEP_ALIVE_MS,
    maxConnections: extra.maxConnections,
    out,
    err: new PassThrough(),
  });
  running.push(server);
  return { server, lines, port: Number(new URL(server.url).port) };
}

interface Slow {
  readonly kind: 'headers' | 'body' | 'idle';
  readonly openedAt: number;
  closedAfter?: number;
  received: string;
  /** Bytes written after the connection opened: proof the client kept trickling until closed. */
  trickled: number;
}

/** Opens a connection that never completes its request: headers or body one piece every `everyMs`. */
function slowConnection(port: number, kind: Slow['kind'], everyMs = 150): Slow {
  const slow: Slow = { kind, openedAt: Date.now(), received: '', trickled: 0 };
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (c: Buffer) => (slow.received += c.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearInterval(timer);
    slow.closedAfter = Date.now() - slow.openedAt;
  });
  socket.on('connect', () => {
    if (kind === 'idle') return;
    socket.write(kind === 'headers' ? 'POST /webhook/event HTTP/1.1\r\nHost: 127.0.0.1\r\n' : 'POST /webhook/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"schema":"2.0",');
    timer = setInterval(() => {
      if (socket.destroyed || !socket.writable) return;
      socket.write(kind === 'headers' ? `X-Slow-${slow.trickled}: y\r\n` : ' ');
      slow.trickled++;
    }, everyMs);
  });
  return slow;
}

let seq = 0;
const deliver = (url: string) => send(url, JSON.stringify(p2Message(`slowloris-${++seq}`)));

describe('lark-events serve under slowloris', () => {
  it('keeps answering valid deliveries while slow connections are closed at the header and request timeouts', { timeout: 60_000 }, async () => {
    const { server, lines } = await serve({ maxConnections: 1_000 });
    const port = Number(new URL(server.url).port);
    const slow: Slow[] = [];
    for (let i = 0; i < 150; i++) slow.push(slowConnection(port, 'headers'), slowConnection(port, 'body'));
    for (let i = 0; i < 50; i++) slow.push(slowConnection(port, 'idle'));
    const attackOpen = () => slow.some((s) => s.closedAfter === undefined);

    const statuses: number[] = [];
    while (attackOpen()) {
      statuses.push((await deliver(server.url)).status);
      if (statuses.length > 10_000) throw new Error('the slow connections were never closed');
    }
    const closedAfter = (kind: Slow['kind']) => slow.filter((s) => s.kind === kind).map((s) => s.closedAfter!);
    console.log(`slowloris: ${slow.length} slow connections; ${statuses.length} valid deliveries answered while they were open; closed after ms (min–max): ${(['headers', 'body', 'idle'] as const).map((k) => `${k} ${Math.min(...closedAfter(k))}–${Math.max(...closedAfter(k))}`).join(', ')}`);
    // Deliveries were answered throughout: several during the attack, every one of them 200.
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((s) => s === 200), JSON.stringify(statuses)).toBe(true);
    await waitFor(() => lines.length === statuses.length, 5_000, 'one delivery line per answered delivery');

    for (const s of slow) {
      const limit = s.kind === 'body' ? REQUEST_MS : HEADERS_MS;
      const label = `${s.kind} connection closed after ${s.closedAfter} ms, got ${JSON.stringify(s.received.slice(0, 40))}`;
      expect(s.closedAfter!, label).toBeGreaterThanOrEqual(limit - 50);
      expect(s.closedAfter!, label).toBeLessThan(limit + SLACK_MS);
      expect(s.received, label).toMatch(/^HTTP\/1\.1 408 /);
    }
    // The tricklers were still sending when closed: the server ended them, not the client.
    expect(slow.filter((s) => s.kind !== 'idle').every((s) => s.trickled >= 3)).toBe(true);

    // After the attack the server answers as before.
    expect((await deliver(server.url)).status).toBe(200);
  });

  it('turns connections beyond --max-connections away until the slow ones time out', { timeout: 60_000 }, async () => {
    const cap = 20;
    const { server, port } = await serve({ maxConnections: cap });
    const slow = Array.from({ length: cap }, () => slowConnection(port, 'headers'));
    const connections = () => new Promise<number>((resolve, reject) => server.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    let open = 0;
    await waitFor(() => {
      void connections().then((n) => (open = n));
      return open === cap;
    }, 10_000, 'the slow connections to fill the cap');
    const beyond = await deliver(server.url).then(
      (r) => `answered ${r.status}`,
      (e: NodeJS.ErrnoException) => `refused ${e.code ?? e.message}`,
    );
    expect(beyond).toMatch(/^refused /);
    await waitFor(() => slow.every((s) => s.closedAfter !== undefined), HEADERS_MS + SLACK_MS, 'the slow connections to be closed');
    expect((await deliver(server.url)).status).toBe(200);
  });

  it('closes an idle keep-alive connection after --keep-alive-timeout', { timeout: 30_000 }, async () => {
    const { port } = await serve();
    const body = JSON.stringify(p2Message(`slowloris-keepalive-${++seq}`));
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let received = '';
    let answeredAt = 0;
    let closedAt = 0;
    socket.on('data', (c: Buffer) => {
      received += c.toString('latin1');
      if (!answeredAt && received.includes('\r\n\r\n')) answeredAt = Date.now();
    });
    socket.on('close', () => (closedAt = Date.now()));
    socket.on('connect', () => socket.write(`POST /webhook/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
    await waitFor(() => closedAt > 0, KEEP_ALIVE_MS + KEEP_ALIVE_BUFFER_MS + SLACK_MS, 'the idle keep-alive connection to close');
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received.toLowerCase()).toContain('connection: keep-alive');
    expect(closedAt - answeredAt).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 50);
    expect(closedAt - answeredAt).toBeLessThan(KEEP_ALIVE_MS + KEEP_ALIVE_BUFFER_MS + SLACK_MS);
  });
});
