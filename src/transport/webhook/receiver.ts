import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import { DispatcherBase } from '../../runtime/dispatcher.js';
import type { Delivery } from '../../runtime/delivery.js';
import { LarkEventError } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { AesCipher } from './crypto.js';
import { TokenMismatchError, WebhookError } from './errors.js';
import type { WebhookHandler } from './pipeline.js';
import { bodyLimits, createPipeline, hasSignatureHeaders, readRequestDelivery, resolveGate, signatureHeaders, verifyRequestSignature } from './pipeline.js';
import { constantTimeEqual, DEFAULT_TIMESTAMP_TOLERANCE_MS, SIGNATURE_HEADER } from './signature.js';
import type { ErrorHook } from './timing.js';
import { DEFAULT_TIMEOUT_MS, Scheduler } from './timing.js';

export { DEFAULT_MAX_JSON_DEPTH } from '../../runtime/delivery.js';
export type { WebhookHandler } from './pipeline.js';

/** What the receiver needs of a dispatcher (any `EventDispatcher` or domain dispatcher). */
export type WebhookDispatcher = Pick<DispatcherBase, 'isCallback' | 'dispatch'>;

export interface WebhookOptions {
  /** The app's Encrypt Key: decrypts `{"encrypt"}` bodies and makes the X-Lark-Signature check mandatory. */
  encryptKey?: string | undefined;
  /** The app's Verification Token: every body's token must equal it (401 otherwise). */
  verificationToken?: string | undefined;
  /** Only this path is served (404 elsewhere); any path when unset. Framework adapters pass other paths on. */
  path?: string | undefined;
  /** Largest body accepted, in bytes (413 above). Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Deepest JSON nesting accepted (400 above). Default 128. */
  maxJsonDepth?: number | undefined;
  /** Replay window on X-Lark-Request-Timestamp for signed requests, or `false` for none. Default 5 minutes. */
  timestampToleranceMs?: number | false | undefined;
  /** Answer events 200 before the handler runs; failures go to `onError`. Never applies to callbacks. Default false. */
  ackFirst?: boolean | undefined;
  /** Answer 503 when the handler has not finished after this long (it keeps running), or `false`. Default 2500 ms. */
  timeoutMs?: number | false | undefined;
  /** Handler failures, invalid callback responses, and anything failing after the answer was sent. */
  onError?: ErrorHook | undefined;
  /** Called once per dispatched delivery (challenges included) with its outcome. */
  onDispatch?: ((result: DispatchOutcome) => void) | undefined;
  logger?: Logger | undefined;
  /**
   * Without an Encrypt Key or a Verification Token nothing proves a request comes from the
   * platform, so creating such a receiver throws unless this is set (local development only).
   */
  allowUnverified?: boolean | undefined;
  /** The clock used for the replay window (tests). */
  now?: (() => number) | undefined;
}

/** A DispatcherBase whose `dispatch` is its own (not overridden) answers through `dispatchNow`, the same without a Promise. */
const syncDispatch = (dispatcher: WebhookDispatcher): boolean => dispatcher instanceof DispatcherBase && dispatcher.dispatch === DispatcherBase.prototype.dispatch;

function checkToken(delivery: Delivery, expected: string): void {
  if (delivery.kind === 'encrypted') return;
  const pointer = delivery.kind === 'p2' || delivery.kind === 'callback' ? '/header/token' : '/token';
  if (delivery.token === undefined) throw new TokenMismatchError(pointer, true);
  if (!constantTimeEqual(expected, delivery.token)) throw new TokenMismatchError(pointer, false);
}

/**
 * The event receiver (webhook.md): the shared pipeline with the event steps. Verify: the
 * signature over the raw bytes when an Encrypt Key is set (challenges come unsigned), decryption,
 * the Verification Token. Run: the dispatcher. Nothing is dispatched when any check fails.
 */
export function createWebhookHandler(dispatcher: WebhookDispatcher, options: WebhookOptions = {}): WebhookHandler {
  const gate = resolveGate(options);
  const logger = options.logger ?? defaultLogger;
  const { encryptKey, verificationToken } = options;
  if (encryptKey === '') throw new LarkEventError('encryptKey is empty: leave it undefined when the app has no Encrypt Key');
  if (verificationToken === '') throw new LarkEventError('verificationToken is empty: leave it undefined when not checking it');
  if (encryptKey === undefined && verificationToken === undefined && !options.allowUnverified) {
    throw new LarkEventError('webhook receiver without encryptKey or verificationToken would accept forged events: configure one, or set allowUnverified: true for local development');
  }
  const cipher = encryptKey !== undefined ? new AesCipher(encryptKey) : undefined;
  const signature = encryptKey !== undefined
    ? { secret: encryptKey, algorithm: 'sha256' as const, toleranceMs: options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS, now: options.now ?? Date.now, logger }
    : undefined;
  const scheduler = new Scheduler({ timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, onError: options.onError, onDispatch: options.onDispatch, logger });
  const limits = bodyLimits(gate, { isCallback: (t: string) => dispatcher.isCallback(t), decrypt: cipher ? (e: string) => cipher.decrypt(e) : undefined });
  const ackFirst = options.ackFirst ?? false;

  return createPipeline<Delivery>({ gate, scheduler, logger }, {
    verify(request) {
      const headers = signature !== undefined ? signatureHeaders(request) : undefined;
      const signed = headers !== undefined && hasSignatureHeaders(headers);
      if (signed) verifyRequestSignature(request, headers, signature!);
      const delivery = readRequestDelivery(request, limits);
      if (delivery.kind === 'encrypted') throw new WebhookError('body is encrypted but no encryptKey is configured', 400, { pointer: '/encrypt' });
      if (signature !== undefined && !signed && delivery.kind !== 'challenge') throw new WebhookError('missing signature header', 401, { header: SIGNATURE_HEADER });
      if (verificationToken !== undefined) checkToken(delivery, verificationToken);
      return delivery;
    },
    run: syncDispatch(dispatcher) ? (d) => (dispatcher as DispatcherBase).dispatchNow(d, 'webhook') : (d) => dispatcher.dispatch(d, 'webhook'),
    info: (d) => (d.kind === 'challenge' || d.kind === 'encrypted' ? { kind: d.kind } : { kind: d.kind, eventType: d.eventType, id: d.id }),
    ackFirst: (d) => ackFirst && (d.kind === 'p1' || d.kind === 'p2'),
  });
}

/** Adapters take either a dispatcher (plus options) or a ready handler (e.g. a legacy card handler). */
export type WebhookTarget = WebhookDispatcher | WebhookHandler;

export function toWebhookHandler(target: WebhookTarget, options?: WebhookOptions): WebhookHandler {
  if ('handle' in target && typeof target.handle === 'function' && !('dispatch' in target)) {
    if (options !== undefined) throw new LarkEventError('options go to createWebhookHandler / createLegacyCardHandler when an adapter is given a handler');
    return target;
  }
  return createWebhookHandler(target as WebhookDispatcher, options);
}
