import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import type { Frame } from '../transport/ws/frame.js';
import { decodeFrame, encodeFrame, FrameMethod, headerValue } from '../transport/ws/frame.js';
import { clientConfig } from './settings.js';
import type { ConnectionInfo, Core, Outcome } from './types.js';
import { randomHex, seededRandom } from './random.js';

interface Conn {
  readonly ws: WebSocket;
  readonly deviceId: string;
  readonly appId: string;
  readonly connectedAt: number;
  pings: number;
  /** Deliveries start after the client's first ping (or `readyAfterMs`): clients attach handlers after the upgrade. */
  ready: boolean;
  readyTimer: NodeJS.Timeout | undefined;
  readonly waiting: Set<string>;
}

interface PendingAnswer {
  readonly conn: Conn;
  readonly sentAt: number;
  readonly resolve: (frame: Frame | undefined, error?: string) => void;
  readonly timer: NodeJS.Timeout;
}

const encoder = new TextEncoder();

function rawToBytes(data: RawData): Uint8Array {
  return Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function decodeAnswerData(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as unknown;
  } catch {
    return data;
  }
}


/** The open long connections: pings and pongs, and deliveries as (fragmented) data frames with their answers. */
export class WsConnections {
  private readonly conns = new Map<string, Conn>();
  private readonly pending = new Map<string, PendingAnswer>();
  private readyWaiters: Array<() => void> = [];
  private seq = 0n;
  private readonly readyAfterMs: number;
  private readonly hasPongOverride: boolean;
  /** Chaos decisions: seeded when `seed` is given. */
  private readonly chaosRandom: () => number;

  constructor(private readonly core: Core) {
    this.readyAfterMs = core.options.readyAfterMs ?? 500;
    this.hasPongOverride = 'pongConfig' in core.options;
    this.chaosRandom = core.options.seed === undefined ? Math.random : seededRandom(core.options.seed);
  }

  get size(): number {
    return this.conns.size;
  }

  /** Open connections of one app (for its connection limit). */
  count(appId: string): number {
    let n = 0;
    for (const c of this.conns.values()) if (c.appId === appId) n++;
    return n;
  }

  list(appId?: string): ConnectionInfo[] {
    return [...this.conns.values()].filter((c) => appId === undefined || c.appId === appId).map((c) => this.info(c));
  }

  /** Takes over a socket after a successful upgrade. */
  add(ws: WebSocket, deviceId: string, appId: string): void {
    const { stats, logger, emitter } = this.core;
    const conn: Conn = { ws, deviceId, appId, connectedAt: Date.now(), pings: 0, ready: false, readyTimer: undefined, waiting: new Set() };
    conn.readyTimer = setTimeout(() => this.markReady(conn), this.readyAfterMs);
    this.conns.set(deviceId, conn);
    stats.handshakes++;
    stats.connections = this.conns.size;
    logger.info(`emulator: connection ${deviceId} of ${appId} (${this.conns.size} open)`);
    ws.on('message', (data) => this.onClientFrame(conn, rawToBytes(data)));
    ws.on('error', (err) => logger.debug(`emulator: socket error ${err.message}`));
    ws.on('close', (code) => {
      clearTimeout(conn.readyTimer);
      this.conns.delete(deviceId);
      stats.connections = this.conns.size;
      for (const messageId of conn.waiting) this.pending.get(messageId)?.resolve(undefined, 'connection closed');
      logger.info(`emulator: connection ${deviceId} closed (${code})`);
      emitter.emit('disconnect', { deviceId, code });
    });
    emitter.emit('connection', this.info(conn));
  }

  private info(conn: Conn): ConnectionInfo {
    return { deviceId: conn.deviceId, appId: conn.appId, ready: conn.ready, compressed: conn.ws.extensions.includes('permessage-deflate'), pings: conn.pings, connectedAt: conn.connectedAt };
  }

  private onClientFrame(conn: Conn, bytes: Uint8Array): void {
    const { settings, stats, logger, emitter } = this.core;
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch {
      logger.warn(`emulator: undecodable frame from ${conn.deviceId}`);
      return;
    }
    if (frame.method === FrameMethod.control) {
      if (headerValue(frame, 'type') !== 'ping') return;
      conn.pings++;
      stats.pings++;
      this.markReady(conn);
      emitter.emit('ping', { deviceId: conn.deviceId, frame, at: Date.now() });
      if (!settings.answerPings) return;
      const config = this.hasPongOverride ? settings.pongConfig : clientConfig(settings);
      const pong: Frame = { SeqID: frame.SeqID, LogID: frame.LogID, service: frame.service, method: FrameMethod.control, headers: [{ key: 'type', value: 'pong' }] };
      if (config !== null && config !== undefined) pong.payload = encoder.encode(JSON.stringify(config));
      conn.ws.send(encodeFrame(pong));
      return;
    }
    const messageId = headerValue(frame, 'message_id');
    const waiter = messageId ? this.pending.get(messageId) : undefined;
    if (!waiter || waiter.conn !== conn) {
      logger.debug(`emulator: answer for unknown or expired message ${messageId ?? '?'}`);
      return;
    }
    waiter.resolve(frame);
  }

  private markReady(conn: Conn): void {
    if (conn.ready) return;
    conn.ready = true;
    clearTimeout(conn.readyTimer);
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  /** Like the platform, hold a delivery (up to its answer deadline) until some connection is up. */
  private async waitForConnection(appId: string, timeoutMs: number): Promise<Conn | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const conn = this.pick(appId);
      const left = deadline - performance.now();
      if (conn || left <= 0 || this.core.closed) return conn;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.readyWaiters.push(done);
      });
    }
  }

  /** A random ready connection of the app (cluster mode, long-connection.md §7). */
  private pick(appId: string): Conn | undefined {
    const open = [...this.conns.values()].filter((c) => c.appId === appId && c.ready && c.ws.readyState === c.ws.OPEN);
    return open.length === 0 ? undefined : open[randomInt(open.length)];
  }

  private split(payload: Uint8Array): Uint8Array[] {
    const size = this.core.settings.fragmentSize;
    if (!size || size <= 0 || payload.length <= size) return [payload];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < payload.length; i += size) parts.push(payload.subarray(i, i + size));
    return parts;
  }

  /** Sends frames and waits for the answer carrying the last frame's message_id. */
  private exchange(conn: Conn, frames: readonly Frame[], timeoutMs: number): Promise<{ frame: Frame | undefined; error?: string; latencyMs: number }> {
    const { settings, stats } = this.core;
    const last = frames[frames.length - 1];
    const messageId = last ? headerValue(last, 'message_id') : undefined;
    if (!last || !messageId) return Promise.resolve({ frame: undefined, error: 'frames without message_id', latencyMs: 0 });
    return new Promise((resolve) => {
      const sentAt = performance.now();
      const finish = (frame: Frame | undefined, error?: string) => {
        const entry = this.pending.get(messageId);
        if (!entry) return;
        clearTimeout(entry.timer);
        this.pending.delete(messageId);
        conn.waiting.delete(messageId);
        resolve({ frame, latencyMs: performance.now() - sentAt, ...(error ? { error } : {}) });
      };
      const timer = setTimeout(() => finish(undefined, `no answer within ${timeoutMs} ms`), timeoutMs);
      this.pending.set(messageId, { conn, sentAt, resolve: finish, timer });
      conn.waiting.add(messageId);
      for (const frame of frames) {
        conn.ws.send(encodeFrame(frame));
        stats.framesSent++;
      }
      if (settings.dropRate > 0 && this.chaosRandom() < settings.dropRate) {
        stats.drops++;
        setTimeout(() => conn.ws.terminate(), this.chaosRandom() * settings.dropDelayMs);
      }
    });
  }

  /** One delivery attempt: waits for a ready connection, sends the payload (split by fragmentSize) and reads the answer. */
  async sendOnce(body: Uint8Array, appId: string): Promise<Outcome> {
    const { settings, stats, emitter, serviceId } = this.core;
    const waitStart = performance.now();
    const conn = await this.waitForConnection(appId, settings.answerTimeoutMs);
    if (!conn) return { code: 0, error: 'no open long connection' };
    const left = Math.max(1, settings.answerTimeoutMs - (performance.now() - waitStart));
    const messageId = `${randomHex(8)}_${++this.seq}`;
    const parts = this.split(body);
    const seqId = this.seq;
    const logId = BigInt(randomInt(1, 2 ** 47));
    const traceId = randomHex(8);
    const frames = parts.map<Frame>((part, i) => ({
      SeqID: seqId,
      LogID: logId,
      service: serviceId,
      method: FrameMethod.data,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: messageId },
        { key: 'sum', value: String(parts.length) },
        { key: 'seq', value: String(i) },
        { key: 'trace_id', value: traceId },
        { key: 'timestamp', value: String(Date.now()) },
      ],
      payload: part,
    }));
    const { frame, error, latencyMs } = await this.exchange(conn, frames, left);
    if (!frame) return { code: 0, deliveredTo: conn.deviceId, error: error ?? 'no answer' };
    stats.answers++;
    let answer: { code?: unknown; data?: unknown } = {};
    try {
      answer = JSON.parse(Buffer.from(frame.payload ?? new Uint8Array()).toString('utf8')) as { code?: unknown; data?: unknown };
    } catch {
      return { code: 0, deliveredTo: conn.deviceId, error: 'answer payload is not JSON' };
    }
    emitter.emit('answer', { deviceId: conn.deviceId, frame, answer, latencyMs });
    const code = typeof answer.code === 'number' ? answer.code : 0;
    const outcome: Outcome = { code, deliveredTo: conn.deviceId };
    if (answer.data !== undefined) outcome.data = decodeAnswerData(answer.data);
    if (code !== 200) outcome.error = `answered code ${code}`;
    return outcome;
  }

  /** Sends raw frames on one connection and resolves with the answer to the last one's message_id (or undefined on timeout). */
  async sendFrames(frames: readonly Frame[], opts: { deviceId?: string | undefined; appId?: string | undefined; timeoutMs?: number | undefined } = {}): Promise<Frame | undefined> {
    const { settings } = this.core;
    let conn: Conn | undefined;
    if (opts.deviceId) {
      const c = this.conns.get(opts.deviceId);
      conn = c && c.ws.readyState === c.ws.OPEN ? c : undefined;
    } else {
      conn = await this.waitForConnection(this.core.app(opts.appId).appId, settings.answerTimeoutMs);
    }
    if (!conn) throw new Error('no open long connection');
    const { frame } = await this.exchange(conn, frames, opts.timeoutMs ?? settings.answerTimeoutMs);
    return frame;
  }

  /** Terminates every connection; returns how many there were. */
  dropAll(): number {
    const n = this.conns.size;
    for (const c of this.conns.values()) c.ws.terminate();
    return n;
  }

  /** Fails every delivery waiting for an answer or a connection, and terminates every connection. */
  close(): void {
    for (const p of this.pending.values()) p.resolve(undefined, 'emulator closed');
    for (const w of this.readyWaiters) w();
    this.readyWaiters = [];
    for (const c of this.conns.values()) c.ws.terminate();
  }
}
