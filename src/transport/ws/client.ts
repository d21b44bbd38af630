import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import type { BodyInput } from '../../runtime/delivery.js';
import type { DispatchResult } from '../../runtime/dispatcher.js';
import type { Transport } from '../../runtime/handlers.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { ReconnectBackoff } from './backoff.js';
import type { ClientConfig } from './config.js';
import { applyPongPayload, DEFAULT_CLIENT_CONFIG } from './config.js';
import type { Endpoint } from './endpoint.js';
import { fetchEndpoint, redactUrl, resolveDomain } from './endpoint.js';
import { WSConnectError, WSOptionError } from './errors.js';
import { FragmentAssembler } from './fragments.js';
import type { Frame } from './frame.js';
import { decodeFrame, encodeFrame, FrameMethod, headerValue } from './frame.js';

/** What the client needs from a dispatcher: the root `EventDispatcher`, a domain one, or a wrapper. */
export interface WSDispatcher {
  dispatch(body: BodyInput, transport?: Transport): Promise<DispatchResult>;
}

export type WSState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'failed';

export interface StateInfo {
  readonly previous: WSState;
  /** The connection id of the new connection (`connected`). */
  readonly deviceId?: string | undefined;
  /** Why the client failed or is reconnecting. */
  readonly error?: Error;
}

export interface WSClientOptions {
  appId: string;
  appSecret: string;
  /** `feishu` (default), `lark`, or a base URL such as `https://open.feishu.cn` or an emulator's. */
  domain?: string;
  dispatcher: WSDispatcher;
  logger?: Logger;
  /** Handlers running at once; further deliveries wait in a queue (default 32). */
  maxConcurrency?: number;
  /** Reconnect when nothing (pong or data) arrives this long after a ping; 0 disables (default 10 s). */
  pingTimeoutMs?: number;
  /** How long `close()` waits for running handlers and their answers (default 10 s). */
  closeTimeoutMs?: number;
  /** WebSocket upgrade timeout (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Endpoint request timeout (default 15 s). */
  endpointTimeoutMs?: number;
  /** Incomplete split messages are dropped after this long (default 10 s). */
  fragmentTtlMs?: number;
  /** First backoff step after a failed reconnect, doubled up to ReconnectInterval (default 1 s). */
  reconnectBaseMs?: number;
  /** Reconnect after the connection drops (default true). */
  autoReconnect?: boolean;
  /** Offer permessage-deflate (default true; the server decides). */
  perMessageDeflate?: boolean;
}

export interface WSClientEvents {
  state: [state: WSState, info: StateInfo];
}

type Listener<K extends keyof WSClientEvents> = (...args: WSClientEvents[K]) => void;

interface Connection {
  readonly ws: WebSocket;
  readonly deviceId: string | undefined;
  readonly serviceId: number;
  pingTimer: NodeJS.Timeout | undefined;
  livenessTimer: NodeJS.Timeout | undefined;
}

interface Job {
  readonly conn: Connection;
  readonly frame: Frame;
  readonly payload: Uint8Array;
  readonly messageId: string | undefined;
  readonly type: string;
}

const encoder = new TextEncoder();
const OK_PAYLOAD = encoder.encode('{"code":200}');
const FAILED_PAYLOAD = encoder.encode('{"code":500}');

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Receives events and callbacks over the long connection (long-connection.md) and hands every
 * delivery to the same dispatcher the webhook uses. `start()` resolves once connected.
 */
export class WSClient {
  // A tiny typed emitter rather than node:events, so that the declarations need no @types/node.
  private readonly listeners: { [K in keyof WSClientEvents]: Array<{ fn: Listener<K>; once: boolean }> } = { state: [] };
  private readonly opts: Required<Omit<WSClientOptions, 'logger' | 'dispatcher' | 'domain'>> & { domain: string };
  private readonly dispatcher: WSDispatcher;
  private readonly logger: Logger;
  private readonly assembler: FragmentAssembler;
  private readonly backoff: ReconnectBackoff;
  private current: ClientConfig = DEFAULT_CLIENT_CONFIG;
  private conn: Connection | undefined;
  private stateValue: WSState = 'idle';
  private stopping = false;
  private intakeClosed = false;
  private startPromise: Promise<void> | undefined;
  private startWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private closePromise: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private active = 0;
  private readonly queue: Job[] = [];
  private idleWaiters: Array<() => void> = [];
  /** The running connect loop, which `close()` waits for. */
  private loop: Promise<void> | undefined;
  /** Aborts the pending endpoint request and handshake when closing. */
  private connectAbort: AbortController | undefined;

  constructor(options: WSClientOptions) {
    if (!options || typeof options.appId !== 'string' || options.appId === '') throw new WSOptionError('appId', 'WSClient: appId is required');
    if (typeof options.appSecret !== 'string' || options.appSecret === '') throw new WSOptionError('appSecret', 'WSClient: appSecret is required');
    if (!options.dispatcher || typeof options.dispatcher.dispatch !== 'function') throw new WSOptionError('dispatcher', 'WSClient: dispatcher with a dispatch() method is required');
    const maxConcurrency = options.maxConcurrency ?? 32;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new WSOptionError('maxConcurrency', 'WSClient: maxConcurrency must be a positive integer');
    this.opts = {
      appId: options.appId,
      appSecret: options.appSecret,
      domain: resolveDomain(options.domain),
      maxConcurrency,
      pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
      closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      endpointTimeoutMs: options.endpointTimeoutMs ?? 15_000,
      fragmentTtlMs: options.fragmentTtlMs ?? 10_000,
      reconnectBaseMs: options.reconnectBaseMs ?? 1_000,
      autoReconnect: options.autoReconnect ?? true,
      perMessageDeflate: options.perMessageDeflate ?? true,
    };
    this.dispatcher = options.dispatcher;
    this.logger = options.logger ?? defaultLogger;
    this.assembler = new FragmentAssembler({ ttlMs: this.opts.fragmentTtlMs });
    this.backoff = new ReconnectBackoff({ baseMs: this.opts.reconnectBaseMs });
  }

  on<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): this {
    this.listeners[event].push({ fn: listener, once: false });
    return this;
  }

  once<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): this {
    this.listeners[event].push({ fn: listener, once: true });
    return this;
  }

  off<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): this {
    const list = this.listeners[event];
    const i = list.findIndex((l) => l.fn === listener);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  private emit<K extends keyof WSClientEvents>(event: K, ...args: WSClientEvents[K]): void {
    const list = this.listeners[event];
    for (const l of [...list]) {
      if (l.once) list.splice(list.indexOf(l), 1);
      try {
        l.fn(...args);
      } catch (err) {
        this.logger.error(`ws: ${event} listener threw: ${errorMessage(err)}`);
      }
    }
  }

  get state(): WSState {
    return this.stateValue;
  }

  /** The live config (endpoint ClientConfig, then pong updates). */
  get config(): ClientConfig {
    return this.current;
  }

  /** The current connection's id, for logs. */
  get deviceId(): string | undefined {
    return this.conn?.deviceId;
  }

  /** Deliveries being handled or waiting for a handler slot. */
  get pending(): number {
    return this.active + this.queue.length;
  }

  /** Connects; resolves once connected, rejects on a fatal error or when retries run out. */
  start(): Promise<void> {
    if (this.startPromise) return this.startPromise;
    if (this.stopping) return Promise.reject(new WSConnectError('WSClient: closed', true));
    this.startPromise = new Promise<void>((resolve, reject) => {
      this.startWaiter = { resolve, reject };
    });
    this.setState('connecting', {});
    this.sweepTimer = setInterval(() => this.assembler.sweep(), Math.max(250, Math.floor(this.opts.fragmentTtlMs / 2)));
    this.sweepTimer.unref();
    void this.connectLoop(true);
    return this.startPromise;
  }

  /**
   * Stops taking deliveries, lets running and queued handlers finish (at most `closeTimeoutMs`),
   * sends their answers, then closes the socket.
   */
  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    const wasStarted = this.stateValue !== 'idle';
    this.stopping = true;
    this.intakeClosed = true;
    this.wake?.();
    this.connectAbort?.abort();
    if (this.startWaiter) {
      this.startWaiter.reject(new WSConnectError('WSClient: closed before connecting', true));
      this.startWaiter = undefined;
    }
    if (wasStarted) this.setState('closing', {});
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true))),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), this.opts.closeTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!drained) this.logger.warn(`ws: ${this.pending} deliveries still running after ${this.opts.closeTimeoutMs} ms; closing without their answers`);
    }
    // A connect attempt in flight stops at its next step (see connectOnce); wait for it.
    await this.loop;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.assembler.clear();
    this.queue.length = 0;
    const conn = this.conn;
    this.conn = undefined;
    if (conn) await this.closeSocket(conn);
    this.setState('closed', {});
  }

  private async closeSocket(conn: Connection): Promise<void> {
    this.stopTimers(conn);
    const ws = conn.ws;
    if (ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client closing');
      else ws.terminate();
    });
  }

  private setState(state: WSState, info: Omit<StateInfo, 'previous'>): void {
    const previous = this.stateValue;
    if (previous === state) return;
    this.stateValue = state;
    this.emit('state', state, { previous, ...info });
  }

  private fail(error: Error): void {
    this.logger.error(`ws: giving up: ${error.message}`);
    this.stopping = true;
    this.intakeClosed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.setState('failed', { error });
    if (this.startWaiter) {
      this.startWaiter.reject(error);
      this.startWaiter = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private connectLoop(initial: boolean): Promise<void> {
    if (this.loop) return this.loop;
    const loop = this.runConnectLoop(initial);
    this.loop = loop;
    void loop.finally(() => {
      if (this.loop === loop) this.loop = undefined;
    });
    return loop;
  }

  private async runConnectLoop(initial: boolean): Promise<void> {
    // The first attempt after a drop waits a random 0..ReconnectNonce; a failed start retries at once with backoff.
    this.backoff.reset();
    if (initial) this.backoff.attempts = 1;
    let lastError: Error | undefined;
    let immediate = initial;
    for (;;) {
      if (this.stopping) return;
      if (!immediate) {
        if (!this.backoff.canRetry(this.current)) {
          this.fail(new WSConnectError(`could not connect after ${this.backoff.attempts} attempts${lastError ? `: ${lastError.message}` : ''}`, true));
          return;
        }
        const delay = this.backoff.next(this.current);
        this.logger.info(`ws: reconnecting in ${delay} ms (attempt ${this.backoff.attempts})`);
        await this.sleep(delay);
        if (this.stopping) return;
      }
      immediate = false;
      try {
        await this.connectOnce();
        return;
      } catch (err) {
        if (this.stopping) return;
        const error = err instanceof Error ? err : new Error(String(err));
        if (err instanceof WSConnectError && err.fatal) {
          this.fail(error);
          return;
        }
        lastError = error;
        this.logger.warn(`ws: connect failed: ${error.message}`);
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const abort = new AbortController();
    this.connectAbort = abort;
    let endpoint: Endpoint;
    let ws: WebSocket;
    try {
      endpoint = await fetchEndpoint({
        domain: this.opts.domain,
        appId: this.opts.appId,
        appSecret: this.opts.appSecret,
        timeoutMs: this.opts.endpointTimeoutMs,
        config: this.current,
        signal: abort.signal,
      });
      // close() while the endpoint request was pending: never open the socket.
      if (this.stopping) return;
      this.current = endpoint.config;
      ws = await this.dial(endpoint, abort.signal);
    } finally {
      if (this.connectAbort === abort) this.connectAbort = undefined;
    }
    if (this.stopping) {
      ws.terminate();
      return;
    }
    const conn: Connection = { ws, deviceId: endpoint.deviceId, serviceId: endpoint.serviceId, pingTimer: undefined, livenessTimer: undefined };
    this.conn = conn;
    ws.on('message', (data) => this.onMessage(conn, data));
    ws.on('close', (code) => this.onClose(conn, code));
    this.logger.info('ws: connected', { url: redactUrl(endpoint.url), device_id: endpoint.deviceId });
    this.sendPing(conn);
    this.schedulePing(conn);
    this.setState('connected', { deviceId: endpoint.deviceId });
    if (this.startWaiter) {
      this.startWaiter.resolve();
      this.startWaiter = undefined;
    }
  }

  private dial(endpoint: Endpoint, signal: AbortSignal): Promise<WebSocket> {
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(endpoint.url, {
        perMessageDeflate: this.opts.perMessageDeflate,
        handshakeTimeout: this.opts.handshakeTimeoutMs,
      });
      let settled = false;
      const settle = (err?: WSConnectError) => {
        if (settled) return;
        settled = true;
        if (err) {
          reject(err);
          if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
        } else {
          resolve(ws);
        }
      };
      // A socket must always have an error listener: `ws` emits errors after aborts too.
      ws.on('error', (err) => {
        if (!settled) settle(new WSConnectError(`connection failed: ${err.message}`, false));
        else this.logger.debug(`ws: socket error: ${err.message}`);
      });
      ws.once('unexpected-response', (req, res) => {
        const status = String(res.headers['handshake-status'] ?? '');
        const authCode = String(res.headers['handshake-autherrcode'] ?? '');
        const msg = String(res.headers['handshake-msg'] ?? '');
        const fatal = status === '403' || (status === '514' && authCode === '1000040350');
        res.resume();
        req.destroy();
        const detail = status ? `handshake-status ${status}${authCode ? `, autherrcode ${authCode}` : ''}${msg ? ` (${msg})` : ''}` : `HTTP ${res.statusCode}`;
        settle(new WSConnectError(`handshake refused: ${detail}`, fatal, authCode ? Number(authCode) : undefined));
      });
      ws.once('open', () => settle());
      ws.once('close', () => settle(new WSConnectError('connection closed during the handshake', false)));
      signal.addEventListener('abort', () => settle(new WSConnectError('client closed during the handshake', false)), { once: true });
    });
  }

  private schedulePing(conn: Connection): void {
    if (conn.pingTimer) clearTimeout(conn.pingTimer);
    conn.pingTimer = setTimeout(() => {
      this.sendPing(conn);
      this.schedulePing(conn);
    }, this.current.pingIntervalMs);
  }

  private sendPing(conn: Connection): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const frame: Frame = { SeqID: 0n, LogID: 0n, service: conn.serviceId, method: FrameMethod.control, headers: [{ key: 'type', value: 'ping' }] };
    conn.ws.send(encodeFrame(frame));
    if (this.opts.pingTimeoutMs > 0 && !conn.livenessTimer) {
      conn.livenessTimer = setTimeout(() => {
        conn.livenessTimer = undefined;
        this.logger.warn(`ws: nothing received within ${this.opts.pingTimeoutMs} ms of a ping; reconnecting`, { device_id: conn.deviceId });
        conn.ws.terminate();
      }, this.opts.pingTimeoutMs);
    }
  }

  private stopTimers(conn: Connection): void {
    if (conn.pingTimer) clearTimeout(conn.pingTimer);
    if (conn.livenessTimer) clearTimeout(conn.livenessTimer);
    conn.pingTimer = undefined;
    conn.livenessTimer = undefined;
  }

  private onClose(conn: Connection, code: number): void {
    this.stopTimers(conn);
    if (this.conn !== conn) return;
    this.conn = undefined;
    if (this.stopping) return;
    this.logger.warn(`ws: connection closed (code ${code})`, { device_id: conn.deviceId });
    if (!this.opts.autoReconnect) {
      this.fail(new WSConnectError(`connection closed (code ${code}) and autoReconnect is off`, true));
      return;
    }
    this.setState('reconnecting', {});
    void this.connectLoop(false);
  }

  private onMessage(conn: Connection, data: RawData): void {
    if (conn.livenessTimer) {
      clearTimeout(conn.livenessTimer);
      conn.livenessTimer = undefined;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch (err) {
      this.logger.warn(`ws: undecodable frame dropped: ${errorMessage(err)}`);
      return;
    }
    const type = headerValue(frame, 'type');
    if (frame.method === FrameMethod.control) {
      if (type === 'pong') this.onPong(conn, frame);
      return;
    }
    if (frame.method !== FrameMethod.data) {
      this.logger.warn(`ws: frame with unknown method ${frame.method} dropped`);
      return;
    }
    const messageId = headerValue(frame, 'message_id');
    if (type !== 'event' && type !== 'card') {
      this.logger.warn(`ws: data frame of unknown type ${JSON.stringify(type)} dropped`, { message_id: messageId });
      return;
    }
    if (this.intakeClosed) {
      this.logger.debug('ws: closing, delivery left for the platform to redeliver', { message_id: messageId });
      return;
    }
    const result = this.assembler.add(frame, messageId, headerValue(frame, 'sum'), headerValue(frame, 'seq'));
    if (result.status === 'invalid') {
      this.logger.warn(`ws: fragment dropped: ${result.reason}`, { message_id: messageId, trace_id: headerValue(frame, 'trace_id') });
      return;
    }
    if (result.status === 'partial') return;
    const job: Job = { conn, frame: result.frame, payload: result.payload, messageId, type };
    if (this.active < this.opts.maxConcurrency) void this.run(job);
    else this.queue.push(job);
  }

  private onPong(conn: Connection, frame: Frame): void {
    const update = applyPongPayload(this.current, frame.payload);
    if (update.rejected.length > 0) this.logger.warn(`ws: ignored invalid pong config fields: ${update.rejected.join(', ')}`);
    const previousInterval = this.current.pingIntervalMs;
    this.current = update.config;
    if (update.config.pingIntervalMs !== previousInterval && this.conn === conn) this.schedulePing(conn);
  }

  private async run(job: Job): Promise<void> {
    this.active++;
    try {
      await this.handle(job);
    } finally {
      this.active--;
      const next = this.queue.shift();
      if (next) void this.run(next);
      else if (this.active === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  private async handle(job: Job): Promise<void> {
    const started = performance.now();
    let payload = FAILED_PAYLOAD;
    try {
      const result = await this.dispatcher.dispatch(job.payload, 'ws');
      if (result.httpStatus >= 200 && result.httpStatus < 300) {
        payload = result.response === undefined
          ? OK_PAYLOAD
          : encoder.encode(JSON.stringify({ code: 200, data: Buffer.from(JSON.stringify(result.response), 'utf8').toString('base64') }));
      } else {
        this.logger.warn(`ws: delivery not handled (${result.status}), answering 500`, { message_id: job.messageId, event_type: result.eventType, id: result.id });
      }
    } catch (err) {
      this.logger.error(`ws: dispatch threw, answering 500: ${errorMessage(err)}`, { message_id: job.messageId });
    }
    const bizRt = Math.max(0, Math.round(performance.now() - started));
    const ws = job.conn.ws;
    if (ws.readyState !== WebSocket.OPEN) {
      this.logger.debug('ws: connection gone, answer dropped (the platform redelivers)', { message_id: job.messageId });
      return;
    }
    const answer: Frame = { ...job.frame, headers: [...job.frame.headers, { key: 'biz_rt', value: String(bizRt) }], payload };
    await new Promise<void>((resolve) => {
      ws.send(encodeFrame(answer), (err) => {
        if (err) this.logger.debug(`ws: answer not sent: ${err.message}`, { message_id: job.messageId });
        resolve();
      });
    });
  }
}
