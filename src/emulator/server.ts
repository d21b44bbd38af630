import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../runtime/logger.js';
import { silentLogger } from '../runtime/logger.js';
import { encryptBody } from '../transport/webhook/crypto.js';
import { computeSignature } from '../transport/webhook/signature.js';
import type { Frame } from '../transport/ws/frame.js';
import { decodeFrame, encodeFrame, FrameMethod, headerValue } from '../transport/ws/frame.js';
import { describePayload, freshen, loadExample } from './examples.js';

/** The platform's redelivery schedule after a failed delivery: 15 s, 5 min, 1 h, 6 h. */
export const PLATFORM_REDELIVERY_SCHEDULE_MS: readonly number[] = [15_000, 300_000, 3_600_000, 21_600_000];
export const WS_PATH = '/ws/v2';

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  host?: string;
  appId: string;
  appSecret: string;
  /** Push deliveries `via: 'webhook'` to this URL. */
  webhook?: string;
  /** Encrypt and sign webhook pushes with this key. */
  encryptKey?: string;
  /** Put this Verification Token into generated payloads. */
  verificationToken?: string;
  /** ClientConfig handed out by the endpoint and in pongs (seconds). Defaults: 120, -1, 120, 30. */
  pingIntervalS?: number;
  reconnectCount?: number;
  reconnectIntervalS?: number;
  reconnectNonceS?: number;
  /** Replaces the pong payload (any JSON value; `null`: pongs without payload). Default: the ClientConfig. */
  pongConfig?: unknown;
  /** Answer pings (default true). Turn off to simulate a half-open connection. */
  answerPings?: boolean;
  /** Split data payloads larger than this many bytes into fragments (default 0: never). */
  fragmentSize?: number;
  /** Negotiate permessage-deflate (default false). */
  compress?: boolean;
  /** How long a delivery waits for its answer (default 3 000 ms, like the platform). */
  answerTimeoutMs?: number;
  /** Webhook request timeout (default 3 000 ms). */
  webhookTimeoutMs?: number;
  /** Delays before retries of failed deliveries (default the platform's; at most 4 are used). */
  redeliveryScheduleMs?: readonly number[];
  /** Connections per app (default 50). */
  maxConnections?: number;
  /** Chaos: probability of dropping the connection right after sending a data frame (default 0). */
  dropRate?: number;
  /** Chaos: the drop happens within this many ms after the send (default 5). */
  dropDelayMs?: number;
  /** A connection gets deliveries after its first ping, or this long after the upgrade (default 500 ms). */
  readyAfterMs?: number;
  /** Connection tickets expire after this long (default 60 s). */
  ticketTtlMs?: number;
  logger?: Logger;
}

/** Settings that can change while the emulator runs (`update`, `POST /_emulator/settings`). */
export type EmulatorSettings = Pick<EmulatorOptions, 'answerPings' | 'pongConfig' | 'dropRate' | 'dropDelayMs' | 'fragmentSize' | 'answerTimeoutMs' | 'redeliveryScheduleMs' | 'webhook' | 'pingIntervalS' | 'reconnectCount' | 'reconnectIntervalS' | 'reconnectNonceS'>;

export type Via = 'ws' | 'webhook';

export interface TriggerOptions {
  /** Long connection (default) or webhook push. */
  via?: Via;
  /** Retries after a failed attempt (default: the whole schedule, at most 4). */
  retries?: number;
  /** Give a given payload fresh ids and timestamps (default: only payloads built from an event type). */
  fresh?: boolean;
  /** Called after every attempt, the last one included. */
  onAttempt?: (answer: TriggerAnswer) => void;
}

/** The outcome of a triggered delivery, after any redeliveries. */
export interface TriggerAnswer {
  /** 200 handled; 500 (or the HTTP status) failed; 0 no answer (timeout, no connection). */
  code: number;
  /** The decoded callback response, when the receiver returned one. */
  data?: unknown;
  /** The connection's device_id (ws) or the webhook URL. */
  delivered_to?: string;
  attempts: number;
  via: Via;
  event_type?: string;
  id?: string;
  /** From the first send to the final answer. */
  latency_ms: number;
  /** The last attempt's failure. */
  error?: string;
}

export interface ConnectionInfo {
  readonly deviceId: string;
  /** Gets deliveries (after its first ping). */
  readonly ready: boolean;
  readonly compressed: boolean;
  readonly pings: number;
  readonly connectedAt: number;
}

export interface EmulatorStats {
  connections: number;
  endpointRequests: number;
  handshakes: number;
  refusedHandshakes: number;
  pings: number;
  framesSent: number;
  answers: number;
  attempts: number;
  redeliveries: number;
  drops: number;
  triggers: number;
  succeeded: number;
  failed: number;
  inFlight: number;
}

export interface PingInfo {
  readonly deviceId: string;
  readonly frame: Frame;
  readonly at: number;
}
export interface AnswerInfo {
  readonly deviceId: string;
  readonly frame: Frame;
  /** The answer payload, parsed. */
  readonly answer: { code?: unknown; data?: unknown };
  readonly latencyMs: number;
}

export interface EmulatorEvents {
  connection: [ConnectionInfo];
  disconnect: [{ deviceId: string; code: number }];
  ping: [PingInfo];
  answer: [AnswerInfo];
  endpoint: [{ code: number }];
}

export interface Emulator extends EventEmitter<EmulatorEvents> {
  /** `http://127.0.0.1:PORT`: the `domain` to give clients. */
  readonly url: string;
  readonly port: number;
  readonly serviceId: number;
  trigger(input: string | Record<string, unknown>, options?: TriggerOptions): Promise<TriggerAnswer>;
  connections(): ConnectionInfo[];
  stats(): EmulatorStats;
  update(settings: EmulatorSettings): void;
  /** Terminates every long connection (clients should reconnect). */
  dropConnections(): number;
  /** The next `times` endpoint requests answer this code. */
  failEndpoint(code: number, times?: number): void;
  /** The next `times` WebSocket upgrades fail with these handshake headers. */
  failHandshake(failure: { status: number; msg?: string; authErrCode?: number }, times?: number): void;
  /** Sends raw frames on one connection and resolves with the answer to the last one's message_id (or undefined on timeout). */
  sendFrames(frames: readonly Frame[], options?: { deviceId?: string; timeoutMs?: number }): Promise<Frame | undefined>;
  /** Sends a url_verification challenge to the webhook and checks the echo. */
  challenge(): Promise<{ ok: boolean; status: number; body: unknown }>;
  close(): Promise<void>;
}

interface Conn {
  readonly ws: WebSocket;
  readonly deviceId: string;
  readonly connectedAt: number;
  pings: number;
  /** Deliveries start after the client's first ping (or `readyAfterMs`): clients attach handlers after the upgrade. */
  ready: boolean;
  readyTimer: NodeJS.Timeout | undefined;
  readonly waiting: Set<string>;
}

interface Outcome {
  code: number;
  data?: unknown;
  deliveredTo?: string;
  error?: string;
}

interface PendingAnswer {
  readonly conn: Conn;
  readonly sentAt: number;
  readonly resolve: (frame: Frame | undefined, error?: string) => void;
  readonly timer: NodeJS.Timeout;
}

const encoder = new TextEncoder();
const NO_WEBHOOK = 'no webhook URL configured';
const MAX_BODY = 8 * 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

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

/** Starts a fake Open Platform on loopback: endpoint discovery, the long connection, webhook pushes and control endpoints. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  if (!options.appId || !options.appSecret) throw new TypeError('startEmulator: appId and appSecret are required');
  const logger = options.logger ?? silentLogger;
  const settings: Required<Omit<EmulatorSettings, 'webhook' | 'pongConfig'>> & Pick<EmulatorSettings, 'webhook' | 'pongConfig'> = {
    answerPings: options.answerPings ?? true,
    pongConfig: options.pongConfig,
    dropRate: options.dropRate ?? 0,
    dropDelayMs: options.dropDelayMs ?? 5,
    fragmentSize: options.fragmentSize ?? 0,
    answerTimeoutMs: options.answerTimeoutMs ?? 3_000,
    redeliveryScheduleMs: options.redeliveryScheduleMs ?? PLATFORM_REDELIVERY_SCHEDULE_MS,
    webhook: options.webhook,
    pingIntervalS: options.pingIntervalS ?? 120,
    reconnectCount: options.reconnectCount ?? -1,
    reconnectIntervalS: options.reconnectIntervalS ?? 120,
    reconnectNonceS: options.reconnectNonceS ?? 30,
  };
  const hasPongOverride = 'pongConfig' in options;
  const maxConnections = options.maxConnections ?? 50;
  const readyAfterMs = options.readyAfterMs ?? 500;
  const ticketTtl = options.ticketTtlMs ?? 60_000;
  const serviceId = randomInt(1_000_000, 99_999_999);
  const tickets = new Map<string, { deviceId: string; expires: number }>();
  const conns = new Map<string, Conn>();
  const pending = new Map<string, PendingAnswer>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const endpointFailures: number[] = [];
  const handshakeFailures: Array<{ status: number; msg?: string; authErrCode?: number }> = [];
  const stats: EmulatorStats = {
    connections: 0, endpointRequests: 0, handshakes: 0, refusedHandshakes: 0, pings: 0, framesSent: 0, answers: 0,
    attempts: 0, redeliveries: 0, drops: 0, triggers: 0, succeeded: 0, failed: 0, inFlight: 0,
  };
  let seq = 0n;
  let readyWaiters: Array<() => void> = [];
  let closed = false;
  const emitter = new EventEmitter<EmulatorEvents>();

  const clientConfig = () => ({
    PingInterval: settings.pingIntervalS,
    ReconnectCount: settings.reconnectCount,
    ReconnectInterval: settings.reconnectIntervalS,
    ReconnectNonce: settings.reconnectNonceS,
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: options.compress ? { threshold: 128 } : false, maxPayload: 64 * 1024 * 1024 });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  // ---- long connection ------------------------------------------------------------------

  function onConnection(ws: WebSocket, deviceId: string): void {
    const conn: Conn = { ws, deviceId, connectedAt: Date.now(), pings: 0, ready: false, readyTimer: undefined, waiting: new Set() };
    conn.readyTimer = setTimeout(() => markReady(conn), readyAfterMs);
    conns.set(deviceId, conn);
    stats.handshakes++;
    stats.connections = conns.size;
    logger.info(`emulator: connection ${deviceId} (${conns.size} open)`);
    ws.on('message', (data) => onClientFrame(conn, rawToBytes(data)));
    ws.on('error', (err) => logger.debug(`emulator: socket error ${err.message}`));
    ws.on('close', (code) => {
      clearTimeout(conn.readyTimer);
      conns.delete(deviceId);
      stats.connections = conns.size;
      for (const messageId of conn.waiting) pending.get(messageId)?.resolve(undefined, 'connection closed');
      logger.info(`emulator: connection ${deviceId} closed (${code})`);
      emitter.emit('disconnect', { deviceId, code });
    });
    emitter.emit('connection', info(conn));
  }

  function info(conn: Conn): ConnectionInfo {
    return { deviceId: conn.deviceId, ready: conn.ready, compressed: conn.ws.extensions.includes('permessage-deflate'), pings: conn.pings, connectedAt: conn.connectedAt };
  }

  function onClientFrame(conn: Conn, bytes: Uint8Array): void {
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
      markReady(conn);
      emitter.emit('ping', { deviceId: conn.deviceId, frame, at: Date.now() });
      if (!settings.answerPings) return;
      const config = hasPongOverride ? settings.pongConfig : clientConfig();
      const pong: Frame = { SeqID: frame.SeqID, LogID: frame.LogID, service: frame.service, method: FrameMethod.control, headers: [{ key: 'type', value: 'pong' }] };
      if (config !== null && config !== undefined) pong.payload = encoder.encode(JSON.stringify(config));
      conn.ws.send(encodeFrame(pong));
      return;
    }
    const messageId = headerValue(frame, 'message_id');
    const waiter = messageId ? pending.get(messageId) : undefined;
    if (!waiter || waiter.conn !== conn) {
      logger.debug(`emulator: answer for unknown or expired message ${messageId ?? '?'}`);
      return;
    }
    waiter.resolve(frame);
  }

  function markReady(conn: Conn): void {
    if (conn.ready) return;
    conn.ready = true;
    clearTimeout(conn.readyTimer);
    const waiters = readyWaiters;
    readyWaiters = [];
    for (const w of waiters) w();
  }

  /** Like the platform, hold a delivery (up to its answer deadline) until some connection is up. */
  async function waitForConnection(timeoutMs: number): Promise<Conn | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const conn = pickConnection();
      const left = deadline - performance.now();
      if (conn || left <= 0 || closed) return conn;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        readyWaiters.push(done);
      });
    }
  }

  function pickConnection(deviceId?: string): Conn | undefined {
    if (deviceId) {
      const c = conns.get(deviceId);
      return c && c.ws.readyState === c.ws.OPEN ? c : undefined;
    }
    const open = [...conns.values()].filter((c) => c.ready && c.ws.readyState === c.ws.OPEN);
    return open.length === 0 ? undefined : open[randomInt(open.length)];
  }

  function split(payload: Uint8Array): Uint8Array[] {
    const size = settings.fragmentSize;
    if (!size || size <= 0 || payload.length <= size) return [payload];
    const parts: Uint8Array[] = [];
    for (let i = 0; i < payload.length; i += size) parts.push(payload.subarray(i, i + size));
    return parts;
  }

  /** Sends frames and waits for the answer carrying the last frame's message_id. */
  function exchange(conn: Conn, frames: readonly Frame[], timeoutMs: number): Promise<{ frame: Frame | undefined; error?: string; latencyMs: number }> {
    const last = frames[frames.length - 1];
    const messageId = last ? headerValue(last, 'message_id') : undefined;
    if (!last || !messageId) return Promise.resolve({ frame: undefined, error: 'frames without message_id', latencyMs: 0 });
    return new Promise((resolve) => {
      const sentAt = performance.now();
      const finish = (frame: Frame | undefined, error?: string) => {
        const entry = pending.get(messageId);
        if (!entry) return;
        clearTimeout(entry.timer);
        pending.delete(messageId);
        conn.waiting.delete(messageId);
        resolve({ frame, latencyMs: performance.now() - sentAt, ...(error ? { error } : {}) });
      };
      const timer = setTimeout(() => finish(undefined, `no answer within ${timeoutMs} ms`), timeoutMs);
      pending.set(messageId, { conn, sentAt, resolve: finish, timer });
      conn.waiting.add(messageId);
      for (const frame of frames) {
        conn.ws.send(encodeFrame(frame));
        stats.framesSent++;
      }
      if (settings.dropRate > 0 && Math.random() < settings.dropRate) {
        stats.drops++;
        setTimeout(() => conn.ws.terminate(), Math.random() * settings.dropDelayMs);
      }
    });
  }

  async function sendWsOnce(body: Uint8Array): Promise<Outcome> {
    const waitStart = performance.now();
    const conn = await waitForConnection(settings.answerTimeoutMs);
    if (!conn) return { code: 0, error: 'no open long connection' };
    const left = Math.max(1, settings.answerTimeoutMs - (performance.now() - waitStart));
    const messageId = `${randomBytes(8).toString('hex')}_${++seq}`;
    const parts = split(body);
    const seqId = seq;
    const logId = BigInt(randomInt(1, 2 ** 47));
    const traceId = randomBytes(8).toString('hex');
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
    const { frame, error, latencyMs } = await exchange(conn, frames, left);
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

  // ---- webhook ---------------------------------------------------------------------------

  async function post(url: string, text: string, signed: boolean): Promise<{ status: number; body: unknown; error?: string }> {
    const body = options.encryptKey ? encryptBody(text, options.encryptKey) : text;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'lark-event-catalog-emulator' };
    if (signed && options.encryptKey) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(8).toString('hex');
      headers['X-Lark-Request-Timestamp'] = timestamp;
      headers['X-Lark-Request-Nonce'] = nonce;
      headers['X-Lark-Signature'] = computeSignature(timestamp, nonce, options.encryptKey, body);
    }
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.webhookTimeoutMs ?? 3_000) });
      const raw = await res.text();
      let parsed: unknown = raw;
      try {
        parsed = raw === '' ? undefined : (JSON.parse(raw) as unknown);
      } catch {
        // keep the text
      }
      return { status: res.status, body: parsed };
    } catch (err) {
      return { status: 0, body: undefined, error: err instanceof Error ? err.message : String(err) };
    }
  }

  async function sendWebhookOnce(text: string, callback: boolean): Promise<Outcome> {
    const url = settings.webhook;
    if (!url) return { code: 0, error: NO_WEBHOOK };
    const { status, body, error } = await post(url, text, true);
    if (status === 0) return { code: 0, deliveredTo: url, error: error ?? 'no answer' };
    const ok = status >= 200 && status < 300;
    const outcome: Outcome = { code: ok ? 200 : status, deliveredTo: url };
    if (ok && callback && body !== undefined) outcome.data = body;
    if (!ok) outcome.error = `HTTP ${status}${body && typeof body === 'object' ? ` ${JSON.stringify(body)}` : ''}`;
    return outcome;
  }

  // ---- deliveries ------------------------------------------------------------------------

  async function trigger(input: string | Record<string, unknown>, opts: TriggerOptions = {}): Promise<TriggerAnswer> {
    if (closed) throw new Error('emulator closed');
    const via: Via = opts.via ?? 'ws';
    if (via !== 'ws' && via !== 'webhook') throw new TypeError(`via must be "ws" or "webhook", not ${JSON.stringify(via)}`);
    let payload: Record<string, unknown>;
    if (typeof input === 'string') {
      payload = freshen(loadExample(input), { appId: options.appId, verificationToken: options.verificationToken });
    } else {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('payload must be a JSON object');
      payload = opts.fresh ? freshen(structuredClone(input), { appId: options.appId, verificationToken: options.verificationToken }) : input;
    }
    const meta = describePayload(payload);
    const text = JSON.stringify(payload);
    const bytes = encoder.encode(text);
    const schedule = settings.redeliveryScheduleMs.slice(0, 4);
    const retries = Math.max(0, Math.min(opts.retries ?? schedule.length, schedule.length));
    stats.triggers++;
    stats.inFlight++;
    const started = performance.now();
    let outcome: Outcome = { code: 0 };
    let attempts = 0;
    const answerOf = (o: Outcome): TriggerAnswer => {
      const answer: TriggerAnswer = { code: o.code, attempts, via, latency_ms: Math.round((performance.now() - started) * 1000) / 1000 };
      if (o.data !== undefined) answer.data = o.data;
      if (o.deliveredTo !== undefined) answer.delivered_to = o.deliveredTo;
      if (meta.eventType !== undefined) answer.event_type = meta.eventType;
      if (meta.id !== undefined) answer.id = meta.id;
      if (o.error !== undefined && o.code !== 200) answer.error = o.error;
      return answer;
    };
    try {
      for (;;) {
        if (closed) {
          outcome = { code: 0, error: 'emulator closed' };
          break;
        }
        attempts++;
        stats.attempts++;
        outcome = via === 'ws' ? await sendWsOnce(bytes) : await sendWebhookOnce(text, meta.callback);
        const last = outcome.code === 200 || attempts > retries || outcome.error === NO_WEBHOOK;
        logger.info(
          `emulator: ${via} ${meta.eventType ?? 'delivery'} ${meta.id ?? ''} → ${outcome.code}${outcome.error && outcome.code !== 200 ? ` (${outcome.error})` : ''}, attempt ${attempts}` +
            (last ? '' : `, next in ${schedule[attempts - 1] ?? 0} ms`),
        );
        opts.onAttempt?.(answerOf(outcome));
        if (last) break;
        stats.redeliveries++;
        await sleep(schedule[attempts - 1] ?? 0);
      }
    } finally {
      stats.inFlight--;
    }
    if (outcome.code === 200) stats.succeeded++;
    else stats.failed++;
    return answerOf(outcome);
  }

  async function challenge(): Promise<{ ok: boolean; status: number; body: unknown }> {
    const url = settings.webhook;
    if (!url) throw new Error('no webhook URL configured');
    const value = randomBytes(12).toString('hex');
    const text = JSON.stringify({ challenge: value, token: options.verificationToken ?? '', type: 'url_verification' });
    const { status, body } = await post(url, text, false);
    const ok = status === 200 && typeof body === 'object' && body !== null && (body as { challenge?: unknown }).challenge === value;
    return { ok, status, body };
  }

  // ---- HTTP: endpoint discovery, control endpoints ---------------------------------------

  async function handleEndpoint(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.endpointRequests++;
    const body = await readJson(req);
    const reply = (code: number, msg: string, data?: unknown) => {
      emitter.emit('endpoint', { code });
      sendJson(res, 200, data === undefined ? { code, msg } : { code, msg, data });
    };
    const injected = endpointFailures.shift();
    if (injected !== undefined) return reply(injected, 'injected failure');
    if (body.AppID !== options.appId || body.AppSecret !== options.appSecret) return reply(10003, 'invalid app_id or app_secret');
    if (conns.size >= maxConnections) return reply(1000040350, 'too many connections');
    const deviceId = `${randomInt(1e9, 1e10)}${randomInt(1e8, 1e9)}`;
    const ticket = randomBytes(16).toString('hex');
    tickets.set(ticket, { deviceId, expires: Date.now() + ticketTtl });
    for (const [t, v] of tickets) if (v.expires < Date.now()) tickets.delete(t);
    const address = `ws://${host}:${port}${WS_PATH}?fpid=493&aid=552564&device_id=${deviceId}&access_key=${randomBytes(16).toString('hex')}&service_id=${serviceId}&ticket=${ticket}`;
    reply(0, 'ok', { URL: address, ClientConfig: clientConfig() });
  }

  async function handleControl(path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (path === '/_emulator/stats' && req.method === 'GET') {
      return sendJson(res, 200, { ...stats, connections: conns.size, connection_list: [...conns.values()].map(info) });
    }
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');
    const body = await readJson(req);
    switch (path) {
      case '/_emulator/trigger': {
        const via = body.via ?? 'ws';
        if (via !== 'ws' && via !== 'webhook') throw new HttpError(400, '"via" must be "ws" or "webhook"');
        const retries = body.retries === undefined ? undefined : Number(body.retries);
        if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new HttpError(400, '"retries" must be a non-negative integer');
        let input: string | Record<string, unknown>;
        if (typeof body.event_type === 'string') input = body.event_type;
        else if (typeof body.payload === 'object' && body.payload !== null && !Array.isArray(body.payload)) input = body.payload as Record<string, unknown>;
        else throw new HttpError(400, 'give "event_type" (string) or "payload" (object)');
        const wait = body.wait ?? 'final';
        if (wait !== 'first' && wait !== 'final') throw new HttpError(400, '"wait" must be "first" or "final"');
        // wait=first answers after the first attempt; redeliveries go on in the background.
        let first: ((answer: TriggerAnswer) => void) | undefined;
        const firstAnswer = new Promise<TriggerAnswer>((resolve) => (first = resolve));
        const final = trigger(input, {
          via,
          ...(retries !== undefined ? { retries } : {}),
          fresh: body.fresh === true,
          onAttempt: (a) => first?.(a),
        });
        let answer: TriggerAnswer;
        try {
          answer = wait === 'first' ? await Promise.race([firstAnswer, final]) : await final;
        } catch (err) {
          throw new HttpError(400, err instanceof Error ? err.message : String(err));
        }
        final.catch(() => undefined);
        return sendJson(res, 200, answer);
      }
      case '/_emulator/drop':
        return sendJson(res, 200, { dropped: dropConnections() });
      case '/_emulator/challenge':
        if (!settings.webhook) throw new HttpError(400, 'no webhook URL configured');
        return sendJson(res, 200, await challenge());
      case '/_emulator/settings':
        try {
          update(body as EmulatorSettings);
        } catch (err) {
          throw new HttpError(400, err instanceof Error ? err.message : String(err));
        }
        return sendJson(res, 200, { ...settings });
      default:
        throw new HttpError(404, `no such control endpoint: ${path}`);
    }
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const work = async () => {
      if (path === '/callback/ws/endpoint') {
        if (req.method !== 'POST') throw new HttpError(405, 'use POST');
        return handleEndpoint(req, res);
      }
      if (path.startsWith('/_emulator/')) return handleControl(path, req, res);
      throw new HttpError(404, 'not found');
    };
    work().catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) sendJson(res, status, { code: status, error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });

  function refuseUpgrade(socket: Duplex, status: number, msg: string, authErrCode?: number): void {
    stats.refusedHandshakes++;
    const lines = [
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Handshake Failed'}`,
      `handshake-status: ${status}`,
      `handshake-msg: ${msg}`,
      ...(authErrCode !== undefined ? [`handshake-autherrcode: ${authErrCode}`] : []),
      'content-length: 0',
      'connection: close',
      '',
      '',
    ];
    socket.end(lines.join('\r\n'));
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname !== WS_PATH || closed) return refuseUpgrade(socket, 404, 'not found');
    const injected = handshakeFailures.shift();
    if (injected) return refuseUpgrade(socket, injected.status, injected.msg ?? 'injected failure', injected.authErrCode);
    const ticket = tickets.get(url.searchParams.get('ticket') ?? '');
    if (!ticket || ticket.expires < Date.now() || ticket.deviceId !== url.searchParams.get('device_id')) return refuseUpgrade(socket, 403, 'invalid ticket');
    tickets.delete(url.searchParams.get('ticket') ?? '');
    if (conns.size >= maxConnections) return refuseUpgrade(socket, 514, 'too many connections', 1000040350);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, ticket.deviceId));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  function update(next: EmulatorSettings): void {
    const numeric = ['dropRate', 'dropDelayMs', 'fragmentSize', 'answerTimeoutMs', 'pingIntervalS', 'reconnectCount', 'reconnectIntervalS', 'reconnectNonceS'] as const;
    const checked: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(next)) {
      if ((numeric as readonly string[]).includes(key)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${key} must be a finite number`);
      } else if (key === 'answerPings') {
        if (typeof value !== 'boolean') throw new TypeError('answerPings must be a boolean');
      } else if (key === 'redeliveryScheduleMs') {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new TypeError('redeliveryScheduleMs must be an array of non-negative numbers');
      } else if (key === 'webhook') {
        if (value !== undefined && typeof value !== 'string') throw new TypeError('webhook must be a URL string');
      } else if (key !== 'pongConfig') {
        throw new TypeError(`unknown setting ${JSON.stringify(key)}`);
      }
      checked[key] = value;
    }
    Object.assign(settings, checked);
  }

  function dropConnections(): number {
    const n = conns.size;
    for (const c of conns.values()) c.ws.terminate();
    return n;
  }

  async function sendFrames(frames: readonly Frame[], opts: { deviceId?: string; timeoutMs?: number } = {}): Promise<Frame | undefined> {
    const conn = opts.deviceId ? pickConnection(opts.deviceId) : await waitForConnection(settings.answerTimeoutMs);
    if (!conn) throw new Error('no open long connection');
    const { frame } = await exchange(conn, frames, opts.timeoutMs ?? settings.answerTimeoutMs);
    return frame;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const entry of timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    timers.clear();
    for (const p of pending.values()) p.resolve(undefined, 'emulator closed');
    for (const w of readyWaiters) w();
    readyWaiters = [];
    for (const c of conns.values()) c.ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const handle = Object.assign(emitter, {
    url: `http://${host}:${port}`,
    port,
    serviceId,
    trigger,
    connections: () => [...conns.values()].map(info),
    stats: () => ({ ...stats, connections: conns.size }),
    update,
    dropConnections,
    failEndpoint(code: number, times = 1) {
      for (let i = 0; i < times; i++) endpointFailures.push(code);
    },
    failHandshake(failure: { status: number; msg?: string; authErrCode?: number }, times = 1) {
      for (let i = 0; i < times; i++) handshakeFailures.push(failure);
    },
    sendFrames,
    challenge,
    close,
  });
  return handle as Emulator;
}
