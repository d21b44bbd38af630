import type { EventEmitter } from 'node:events';
import type { Logger } from '../runtime/logger.js';
import type { Frame } from '../transport/ws/frame.js';

/** The platform's redelivery schedule after a failed delivery: 15 s, 5 min, 1 h, 6 h. */
export const PLATFORM_REDELIVERY_SCHEDULE_MS: readonly number[] = [15_000, 300_000, 3_600_000, 21_600_000];
export const WS_PATH = '/ws/v2';

/** One emulated app: its credentials and, optionally, its own webhook settings. */
export interface EmulatorApp {
  appId: string;
  appSecret: string;
  /** Default: the emulator's `verificationToken`. */
  verificationToken?: string | undefined;
  /** Default: the emulator's `encryptKey`. */
  encryptKey?: string | undefined;
  /** Where this app's webhook pushes go. Default: the emulator's `webhook` setting. */
  webhook?: string | undefined;
}

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number | undefined;
  host?: string | undefined;
  /** The single-app form: `appId` and `appSecret` are one app (added before `apps`). */
  appId?: string | undefined;
  appSecret?: string | undefined;
  /** Several apps on one emulator; each authenticates with its own credentials. */
  apps?: readonly EmulatorApp[] | undefined;
  /** Push deliveries `via: 'webhook'` to this URL (apps without a `webhook` of their own). */
  webhook?: string | undefined;
  /** Encrypt and sign webhook pushes with this key (apps without an `encryptKey` of their own). */
  encryptKey?: string | undefined;
  /** Put this Verification Token into generated payloads (apps without a `verificationToken` of their own). */
  verificationToken?: string | undefined;
  /** ClientConfig handed out by the endpoint and in pongs (seconds). Defaults: 120, -1, 120, 30. */
  pingIntervalS?: number | undefined;
  reconnectCount?: number | undefined;
  reconnectIntervalS?: number | undefined;
  reconnectNonceS?: number | undefined;
  /** Replaces the pong payload (any JSON value; `null`: pongs without payload). Default: the ClientConfig. */
  pongConfig?: unknown | undefined;
  /** Answer pings (default true). Turn off to simulate a half-open connection. */
  answerPings?: boolean | undefined;
  /** Split data payloads larger than this many bytes into fragments (default 0: never). */
  fragmentSize?: number | undefined;
  /** Negotiate permessage-deflate (default false). */
  compress?: boolean | undefined;
  /** How long a delivery waits for its answer (default 3 000 ms, like the platform). */
  answerTimeoutMs?: number | undefined;
  /** Webhook request timeout (default 3 000 ms). */
  webhookTimeoutMs?: number | undefined;
  /** Delays before retries of failed deliveries (default the platform's; at most 4 are used). */
  redeliveryScheduleMs?: readonly number[] | undefined;
  /** Connections per app (default 50). */
  maxConnections?: number | undefined;
  /** Chaos: probability of dropping the connection right after sending a data frame (default 0). */
  dropRate?: number | undefined;
  /** Chaos: the drop happens within this many ms after the send (default 5). */
  dropDelayMs?: number | undefined;
  /** Chaos: seeds the drop decisions and delays, so that a run drops the same sends every time (default: unseeded). */
  seed?: number | undefined;
  /** A connection gets deliveries after its first ping, or this long after the upgrade (default 500 ms). */
  readyAfterMs?: number | undefined;
  /** Connection tickets expire after this long (default 60 s). */
  ticketTtlMs?: number | undefined;
  logger?: Logger | undefined;
}

/** Settings that can change while the emulator runs (`update`, `POST /_emulator/settings`). */
export type EmulatorSettings = Pick<EmulatorOptions, 'answerPings' | 'pongConfig' | 'dropRate' | 'dropDelayMs' | 'fragmentSize' | 'answerTimeoutMs' | 'redeliveryScheduleMs' | 'webhook' | 'pingIntervalS' | 'reconnectCount' | 'reconnectIntervalS' | 'reconnectNonceS'>;

export type Via = 'ws' | 'webhook';

export interface TriggerOptions {
  /** The app to deliver to (default: the only app; required when the emulator serves several). */
  appId?: string | undefined;
  /** Long connection (default) or webhook push. */
  via?: Via | undefined;
  /** Retries after a failed attempt (default: the whole schedule, at most 4). */
  retries?: number | undefined;
  /** Give a given payload fresh ids and timestamps (default: only payloads built from an event type). */
  fresh?: boolean | undefined;
  /**
   * Put the emulator's `verificationToken` into a given payload's `header.token` (or `token`),
   * as payloads built from an event type always get (default false: a given payload keeps its token).
   */
  emulatorToken?: boolean | undefined;
  /** Edits by dotted path (`event.message.chat_type`, `event.message.mentions.0.name`), applied last, in order. */
  set?: Readonly<Record<string, unknown>> | undefined;
  /** Called after every attempt, the last one included. */
  onAttempt?: ((answer: TriggerAnswer) => void) | undefined;
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
  /** The app delivered to. */
  app_id: string;
  event_type?: string;
  id?: string;
  /** From the first send to the final answer. */
  latency_ms: number;
  /** The last attempt's failure. */
  error?: string;
}

export interface ConnectionInfo {
  readonly deviceId: string;
  /** The app that opened it. */
  readonly appId: string;
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
  /** The apps served, in order. */
  readonly appIds: readonly string[];
  readonly port: number;
  readonly serviceId: number;
  trigger(input: string | Record<string, unknown>, options?: TriggerOptions): Promise<TriggerAnswer>;
  /** Open connections (of one app, when given). */
  connections(appId?: string): ConnectionInfo[];
  stats(): EmulatorStats;
  update(settings: EmulatorSettings): void;
  /** Terminates every long connection (clients should reconnect). */
  dropConnections(): number;
  /** The next `times` endpoint requests answer this code. */
  failEndpoint(code: number, times?: number): void;
  /** The next `times` WebSocket upgrades fail with these handshake headers. */
  failHandshake(failure: { status: number; msg?: string; authErrCode?: number }, times?: number): void;
  /** Sends raw frames on one connection and resolves with the answer to the last one's message_id (or undefined on timeout). */
  sendFrames(frames: readonly Frame[], options?: { deviceId?: string | undefined; appId?: string | undefined; timeoutMs?: number | undefined }): Promise<Frame | undefined>;
  /** Sends a url_verification challenge to the app's webhook (default: the only app) and checks the echo. */
  challenge(appId?: string): Promise<{ ok: boolean; status: number; body: unknown }>;
  close(): Promise<void>;
}

/** The settings in force; `update` changes them. */
export type Settings = Required<Omit<EmulatorSettings, 'webhook' | 'pongConfig'>> & Pick<EmulatorSettings, 'webhook' | 'pongConfig'>;

/** An app with the emulator-wide defaults filled in (except `webhook`, a live setting). */
export interface ResolvedApp {
  readonly appId: string;
  readonly appSecret: string;
  readonly verificationToken: string | undefined;
  readonly encryptKey: string | undefined;
  readonly webhook: string | undefined;
}

/** What the emulator's parts share. */
export interface Core {
  readonly options: EmulatorOptions;
  readonly apps: ReadonlyMap<string, ResolvedApp>;
  /** The app a delivery targets: the given one, or the only one; throws otherwise. */
  app(appId: string | undefined): ResolvedApp;
  readonly settings: Settings;
  readonly stats: EmulatorStats;
  readonly emitter: EventEmitter<EmulatorEvents>;
  readonly logger: Logger;
  readonly serviceId: number;
  /** Set by `close()`. */
  closed: boolean;
}

/** One delivery attempt's result, on either transport. */
export interface Outcome {
  code: number;
  data?: unknown;
  deliveredTo?: string;
  error?: string;
}
