import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import type { BodyInput } from '../../runtime/delivery.js';
import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import { dispatchFor } from '../../runtime/dispatcher.js';
import type { Transport } from '../../runtime/handlers.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { encodeAnswerFrame, encodeWSAnswer, FAILED_PAYLOAD, OK_PAYLOAD, wsAnswer } from './answer.js';
import { ReconnectBackoff } from './backoff.js';
import type { ClientConfig } from './config.js';
import { applyPongPayload, DEFAULT_CLIENT_CONFIG } from './config.js';
import type { Endpoint } from './endpoint.js';
import { checkDomain, ENDPOINT_PATH, fetchEndpoint, redactUrl, resolveDomain } from './endpoint.js';
import { hostOf, WSConnectError, WSOptionError } from './errors.js';
import { FragmentAssembler } from './fragments.js';
import type { Frame } from './frame.js';
import { decodeFrame, encodeFrame, FrameMethod, headerValue } from './frame.js';
import { openSocket, socketOf } from './handshake.js';
import type { Duplex } from 'node:stream';
import type { HttpAgentLike, ProxyOption } from './proxy.js';
import { ProxyAgents } from './proxy.js';
import { Heartbeat } from './heartbeat.js';
import { candidateDeliveryKey, deliveryKey } from './delivery-key.js';
import type { IntakeStats } from './intake.js';
import { DEFAULT_ANSWER_DEADLINE_MS, DEFAULT_MAX_QUEUE, IntakeQueue } from './intake.js';
import type { Listener, StateDetail, WSClientEvents, WSState } from './state.js';
import { StateEmitter } from './state.js';
import { isThenable } from '../../util/thenable.js';

export type { ReconnectingInfo, StateInfo, WSClientEvents, WSState } from './state.js';
export type { IntakeStats } from './intake.js';

/** What the client needs from a dispatcher: the root `EventDispatcher`, a domain one, or a wrapper. */
export interface WSDispatcher {
  dispatch(body: BodyInput, transport?: Transport): Promise<DispatchOutcome>;
}

export interface WSClientOptions {
  appId: string;
  appSecret: string;
  /**
   * `feishu` (default), `lark`, or a base URL such as `https://open.feishu.cn` or an emulator's.
   * Anything else makes `start()` reject with a `WSOptionError` (state `failed`), without retrying.
   */
  domain?: string | undefined;
  dispatcher: WSDispatcher;
  logger?: Logger | undefined;
  /** Handlers running at once; further deliveries wait in a queue (default 32). */
  maxConcurrency?: number | undefined;
  /**
   * Deliveries that may wait for a handler slot (default 10 000); beyond it a delivery is answered
   * code 500 at once, so that the platform retries it later (long-connection.md §5).
   */
  maxQueue?: number | undefined;
  /**
   * The platform's answer deadline (default 3 000 ms, long-connection.md §5). Answers sent past half
   * of it are remembered for a few minutes, so that the platform's redelivery is answered at once.
   */
  answerDeadlineMs?: number | undefined;
  /**
   * Also answer code 500 at once when a delivery's answer is estimated to miss `answerDeadlineMs`
   * (queue length ÷ maxConcurrency × the average handler time). Default false: such a delivery
   * still runs, once, and its redelivery gets the remembered answer (see intake.ts for why).
   */
  refuseLate?: boolean | undefined;
  /** Reconnect when nothing (pong or data) arrives this long after a ping; 0 disables (default 10 s). */
  pingTimeoutMs?: number | undefined;
  /** How long `close()` waits for running handlers and their answers (default 10 s). */
  closeTimeoutMs?: number | undefined;
  /** WebSocket upgrade timeout (default 10 s). */
  handshakeTimeoutMs?: number | undefined;
  /** Endpoint request timeout (default 15 s). */
  endpointTimeoutMs?: number | undefined;
  /**
   * `start()` rejects (and the state turns `failed`) when the first connection is not up this long
   * after `start()`, retries included; 0 keeps retrying as the server's ReconnectCount allows (default 0).
   */
  connectTimeoutMs?: number | undefined;
  /** Incomplete split messages are dropped after this long (default 10 s). */
  fragmentTtlMs?: number | undefined;
  /** First backoff step after a failed reconnect, doubled up to ReconnectInterval (default 1 s). */
  reconnectBaseMs?: number | undefined;
  /** Reconnect after the connection drops (default true). */
  autoReconnect?: boolean | undefined;
  /** Offer permessage-deflate (default true; the server decides). */
  perMessageDeflate?: boolean | undefined;
  /**
   * A node:http Agent (e.g. `new HttpsProxyAgent(url)`) that carries both the endpoint request and
   * the WebSocket upgrade. Not together with `proxy`.
   */
  agent?: HttpAgentLike | undefined;
  /**
   * Connect through an HTTP(S) proxy (CONNECT tunnels): `'env'` honours HTTPS_PROXY (wss:, https:)
   * and HTTP_PROXY (ws:, http:), ALL_PROXY and NO_PROXY, read at each connect; or the proxy URL.
   * Unset: direct connections, whatever the environment says.
   */
  proxy?: ProxyOption | undefined;
}

interface Connection {
  readonly ws: WebSocket;
  readonly deviceId: string | undefined;
  readonly heartbeat: Heartbeat;
  /** The socket under `ws`, corked while answers of one turn of the event loop collect. */
  readonly socket: Duplex | undefined;
}

const uncork = (socket: Duplex): void => {
  socket.uncork();
};

interface Job {
  readonly conn: Connection;
  readonly frame: Frame;
  /** The received bytes `frame` was decoded from: the answer reuses them. */
  readonly raw: Uint8Array;
  readonly payload: Uint8Array;
  readonly messageId: string | undefined;
}

/** The answer a refused delivery gets: the platform retries it later (long-connection.md §5). */
const RETRY_LATER = FAILED_PAYLOAD;

type ResolvedOptions = { [K in Exclude<keyof WSClientOptions, 'logger' | 'dispatcher' | 'agent' | 'proxy'>]-?: Exclude<WSClientOptions[K], undefined> };

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Receives events and callbacks over the long connection (long-connection.md) and hands every
 * delivery to the same dispatcher the webhook uses. `start()` resolves once connected.
 *
 * This class is the state machine and the connect loop; the handshake (handshake.ts), the
 * heartbeat (heartbeat.ts), the concurrency queue (intake.ts), the answers (answer.ts) and the
 * state emitter (state.ts) are their own modules.
 */
export class WSClient {
  private readonly opts: ResolvedOptions;
  private readonly dispatch: (body: BodyInput) => DispatchOutcome | Promise<DispatchOutcome>;
  private readonly logger: Logger;
  private readonly stateEmitter: StateEmitter;
  private readonly assembler: FragmentAssembler;
  private readonly backoff: ReconnectBackoff;
  private readonly intake: IntakeQueue<Job, Uint8Array>;
  private readonly proxies: ProxyAgents;
  private current: ClientConfig = DEFAULT_CLIENT_CONFIG;
  private conn: Connection | undefined;
  private stopping = false;
  private intakeClosed = false;
  private startPromise: Promise<void> | undefined;
  private startWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  /** The last failed attempt's error, named when connectTimeoutMs runs out. */
  private lastConnectError: Error | undefined;
  private closePromise: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
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
    const connectTimeoutMs = options.connectTimeoutMs ?? 0;
    if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs < 0) throw new WSOptionError('connectTimeoutMs', 'WSClient: connectTimeoutMs must be a non-negative number of milliseconds');
    const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new WSOptionError('maxQueue', 'WSClient: maxQueue must be a non-negative integer');
    const answerDeadlineMs = options.answerDeadlineMs ?? DEFAULT_ANSWER_DEADLINE_MS;
    if (!(answerDeadlineMs > 0) || !Number.isFinite(answerDeadlineMs)) throw new WSOptionError('answerDeadlineMs', 'WSClient: answerDeadlineMs must be a positive number of milliseconds');
    this.opts = {
      appId: options.appId,
      appSecret: options.appSecret,
      domain: resolveDomain(options.domain),
      maxConcurrency,
      maxQueue,
      answerDeadlineMs,
      refuseLate: options.refuseLate ?? false,
      pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
      closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      endpointTimeoutMs: options.endpointTimeoutMs ?? 15_000,
      connectTimeoutMs,
      fragmentTtlMs: options.fragmentTtlMs ?? 10_000,
      reconnectBaseMs: options.reconnectBaseMs ?? 1_000,
      autoReconnect: options.autoReconnect ?? true,
      perMessageDeflate: options.perMessageDeflate ?? true,
    };
    this.proxies = new ProxyAgents({ agent: options.agent, proxy: options.proxy });
    this.dispatch = dispatchFor(options.dispatcher, 'ws');
    this.logger = options.logger ?? defaultLogger;
    this.stateEmitter = new StateEmitter(this.logger);
    this.assembler = new FragmentAssembler({ ttlMs: this.opts.fragmentTtlMs });
    this.backoff = new ReconnectBackoff({ baseMs: this.opts.reconnectBaseMs });
    this.intake = new IntakeQueue<Job, Uint8Array>({
      maxConcurrency,
      maxQueue,
      deadlineMs: answerDeadlineMs,
      refuseLate: this.opts.refuseLate,
      run: (job) => this.handle(job),
      send: (job, payload, receivedAt) => this.sendAnswer(job, payload, receivedAt),
      refusal: RETRY_LATER,
      replayable: (payload) => payload !== FAILED_PAYLOAD,
      candidateKey: (job) => candidateDeliveryKey(job.payload),
      confirmedKey: (job) => deliveryKey(job.payload),
    });
  }

  on<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): this {
    this.stateEmitter.on(event, listener);
    return this;
  }

  once<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): this {
    this.stateEmitter.on(event, listener, true);
    return this;
  }

  off<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): this {
    this.stateEmitter.off(event, listener);
    return this;
  }

  get state(): WSState {
    return this.stateEmitter.state;
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
    return this.intake.pending;
  }

  /** The intake's counters: queued and running now, the queue's peak, coalesced copies, refusals, late answers. */
  stats(): IntakeStats {
    return this.intake.stats();
  }

  /**
   * Connects; resolves once connected, rejects on a fatal error (an invalid `domain`, rejected
   * credentials, …), when retries run out or after `connectTimeoutMs`. An error it rejects with is
   * not logged too.
   */
  start(): Promise<void> {
    if (this.startPromise) return this.startPromise;
    if (this.stopping) return Promise.reject(new WSConnectError('WSClient: closed', true));
    this.startPromise = new Promise<void>((resolve, reject) => {
      this.startWaiter = { resolve, reject };
    });
    const limit = this.opts.connectTimeoutMs;
    if (limit > 0) {
      this.startTimer = setTimeout(() => {
        if (!this.startWaiter) return;
        this.connectAbort?.abort();
        const last = this.lastConnectError;
        this.fail(new WSConnectError(`not connected within ${limit} ms${last ? `: ${last.message}` : ''}`, true, undefined, last ? { cause: last } : undefined));
        this.wake?.();
      }, limit);
    }
    this.setState('connecting', {});
    const invalid = checkDomain(this.opts.domain);
    if (invalid) {
      this.fail(invalid);
      return this.startPromise;
    }
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
    const wasStarted = this.state !== 'idle';
    this.stopping = true;
    this.intakeClosed = true;
    this.wake?.();
    this.connectAbort?.abort();
    if (this.startWaiter) {
      this.startWaiter.reject(new WSConnectError('WSClient: closed before connecting', true));
      this.startWaiter = undefined;
      clearTimeout(this.startTimer);
    }
    if (wasStarted) this.setState('closing', {});
    if (this.pending > 0) {
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        this.intake.whenIdle().then(() => true),
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
    this.intake.clear();
    const conn = this.conn;
    this.conn = undefined;
    if (conn) await this.closeSocket(conn);
    this.proxies.destroy();
    this.setState('closed', {});
  }

  private async closeSocket(conn: Connection): Promise<void> {
    conn.heartbeat.stop();
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

  private setState<S extends WSState>(state: S, detail: StateDetail<S>): void {
    this.stateEmitter.set(state, detail);
  }

  /** Gives up. The error is reported once: to start()'s caller, else to `state` listeners, else in the log. */
  private fail(error: Error): void {
    if (!this.startWaiter && !this.stateEmitter.listened) this.logger.error(`ws: giving up: ${error.message}`);
    this.stopping = true;
    this.intakeClosed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.setState('failed', { error });
    if (this.startWaiter) {
      this.startWaiter.reject(error);
      this.startWaiter = undefined;
      clearTimeout(this.startTimer);
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

  private connectLoop(initial: boolean, dropped?: Error): Promise<void> {
    if (this.loop) return this.loop;
    const loop = this.runConnectLoop(initial, dropped);
    this.loop = loop;
    void loop.finally(() => {
      if (this.loop === loop) this.loop = undefined;
    });
    return loop;
  }

  private async runConnectLoop(initial: boolean, dropped?: Error): Promise<void> {
    // The first attempt after a drop waits a random 0..ReconnectNonce; a failed start retries at once with backoff.
    this.backoff.reset();
    if (initial) this.backoff.attempts = 1;
    let lastError: Error | undefined = dropped;
    let retry = 0;
    let immediate = initial;
    for (;;) {
      if (this.stopping) return;
      if (!immediate) {
        if (!this.backoff.canRetry(this.current)) {
          this.fail(new WSConnectError(`could not connect after ${this.backoff.attempts} attempts${lastError ? `: ${lastError.message}` : ''}`, true, undefined, lastError ? { cause: lastError } : undefined));
          return;
        }
        const delay = this.backoff.next(this.current);
        retry++;
        this.setState('reconnecting', { attempt: retry, delayMs: delay, error: lastError ?? new WSConnectError('connection lost', false) });
        this.logger.debug(`ws: reconnecting in ${delay} ms (attempt ${retry})`);
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
        this.lastConnectError = error;
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
        agent: await this.proxies.agentFor(`${this.opts.domain}${ENDPOINT_PATH}`),
      });
      const agent = await this.proxies.agentFor(endpoint.url);
      // close() while the endpoint request was pending: never open the socket.
      if (this.stopping) return;
      this.current = endpoint.config;
      ws = await openSocket(endpoint, { perMessageDeflate: this.opts.perMessageDeflate, timeoutMs: this.opts.handshakeTimeoutMs, signal: abort.signal, logger: this.logger, agent });
    } finally {
      if (this.connectAbort === abort) this.connectAbort = undefined;
    }
    if (this.stopping) {
      ws.terminate();
      return;
    }
    const heartbeat = new Heartbeat({
      ws,
      serviceId: endpoint.serviceId,
      deviceId: endpoint.deviceId,
      pingTimeoutMs: this.opts.pingTimeoutMs,
      intervalMs: () => this.current.pingIntervalMs,
      logger: this.logger,
    });
    const conn: Connection = { ws, deviceId: endpoint.deviceId, heartbeat, socket: socketOf(ws) };
    this.conn = conn;
    ws.on('message', (data) => this.onMessage(conn, data));
    ws.on('close', (code) => this.onClose(conn, code));
    this.logger.info('ws: connected', { url: redactUrl(endpoint.url), device_id: endpoint.deviceId });
    heartbeat.start();
    this.setState('connected', { deviceId: endpoint.deviceId });
    if (this.startWaiter) {
      this.startWaiter.resolve();
      this.startWaiter = undefined;
      clearTimeout(this.startTimer);
    }
  }

  private onClose(conn: Connection, code: number): void {
    conn.heartbeat.stop();
    if (this.conn !== conn) return;
    this.conn = undefined;
    if (this.stopping) return;
    this.logger.warn(`ws: connection closed (code ${code})`, { device_id: conn.deviceId });
    if (!this.opts.autoReconnect) {
      this.fail(new WSConnectError(`connection closed (code ${code}) and autoReconnect is off`, true));
      return;
    }
    void this.connectLoop(false, new WSConnectError(`connection closed (code ${code})`, false, undefined, { host: hostOf(conn.ws.url) }));
  }

  /** Frame routing: control frames (pong), data frames (event, card) into fragments and the intake queue. */
  private onMessage(conn: Connection, data: RawData): void {
    conn.heartbeat.alive();
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
    const admission = this.intake.push({ conn, frame: result.frame, raw: bytes, payload: result.payload, messageId });
    if (admission === 'refused') this.logger.warn('ws: intake full, answered code 500 (the platform retries later)', { message_id: messageId });
  }

  private onPong(conn: Connection, frame: Frame): void {
    const update = applyPongPayload(this.current, frame.payload);
    if (update.rejected.length > 0) this.logger.warn(`ws: ignored invalid pong config fields: ${update.rejected.join(', ')}`);
    const previousInterval = this.current.pingIntervalMs;
    this.current = update.config;
    if (update.config.pingIntervalMs !== previousInterval && this.conn === conn) conn.heartbeat.schedule();
  }

  /**
   * Dispatches one delivery: its answer payload (the intake sends it, to copies too), synchronously
   * when the dispatcher answers synchronously (`dispatchNow`), else a Promise of it.
   */
  private handle(job: Job): Uint8Array | Promise<Uint8Array> {
    let outcome: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      outcome = this.dispatch(job.payload);
    } catch (err) {
      return this.dispatchThrew(job, err);
    }
    if (isThenable(outcome)) return Promise.resolve(outcome).then((o) => this.answerFor(job, o), (err: unknown) => this.dispatchThrew(job, err));
    return this.answerFor(job, outcome);
  }

  private answerFor(job: Job, outcome: DispatchOutcome): Uint8Array {
    try {
      // The common answer, `{"code":200}`, without building a WSAnswer.
      if (outcome.status === 'handled' ? outcome.response === undefined : outcome.status === 'duplicate' || outcome.status === 'ignored') return OK_PAYLOAD;
      const answer = wsAnswer(outcome);
      if (answer.code !== 200) this.logger.warn(`ws: delivery not handled (${outcome.status}), answering 500`, { message_id: job.messageId, event_type: outcome.eventType, id: outcome.id });
      return encodeWSAnswer(answer);
    } catch (err) {
      return this.dispatchThrew(job, err);
    }
  }

  private dispatchThrew(job: Job, err: unknown): Uint8Array {
    this.logger.error(`ws: dispatch threw, answering 500: ${errorMessage(err)}`, { message_id: job.messageId });
    return FAILED_PAYLOAD;
  }

  /** Sends an answer on the connection the frame came from (biz_rt: since the frame arrived); false when that connection is gone. */
  private sendAnswer(job: Job, payload: Uint8Array, receivedAt: number): boolean {
    const ws = job.conn.ws;
    if (ws.readyState !== WebSocket.OPEN) {
      this.logger.debug('ws: connection gone, answer dropped (the platform redelivers)', { message_id: job.messageId });
      return false;
    }
    // Answers that finish in one turn of the event loop (all the frames of one read, when handlers
    // answer synchronously) go out in one write: the socket stays corked until the next tick.
    const socket = job.conn.socket;
    if (socket && socket.writableCorked === 0) {
      socket.cork();
      process.nextTick(uncork, socket);
    }
    ws.send(encodeAnswerFrame(job.raw, job.frame, payload, performance.now() - receivedAt), (err) => {
      if (err) this.logger.debug(`ws: answer not sent: ${err.message}`, { message_id: job.messageId });
    });
    return true;
  }
}
