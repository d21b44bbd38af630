import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import { dispatchFor } from '../../runtime/dispatcher.js';
import type { DispatcherBase } from '../../runtime/dispatcher.js';
import type { Delivery } from '../../runtime/delivery.js';
import { deliveryOf } from '../../runtime/delivery.js';
import { LarkEventError } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { AesKeyRing } from './crypto.js';
import { TokenMismatchError, WebhookError } from './errors.js';
import type { WebhookHandler } from './pipeline.js';
import { bodyLimits, createPipeline, hasSignatureHeaders, readRequestDelivery, resolveGate, signatureHeaders, verifyRequestSignature } from './pipeline.js';
import type { RotatingSecret } from './signature.js';
import { checkTimestamp, DEFAULT_TIMESTAMP_TOLERANCE_MS, encryptKeyList, matchesSecret, SIGNATURE_HEADER, secretList } from './signature.js';
import type { ErrorHook } from './timing.js';
import { DEFAULT_TIMEOUT_MS, Scheduler } from './timing.js';
import { ConcurrencyLimit } from './concurrency.js';
import type { WebhookStats } from './concurrency.js';

export { DEFAULT_MAX_JSON_DEPTH } from '../../runtime/delivery.js';
export type { WebhookHandler } from './pipeline.js';

/** What the receiver needs of a dispatcher (any `EventDispatcher` or domain dispatcher). */
export type WebhookDispatcher = Pick<DispatcherBase, 'isCallback' | 'dispatch'>;

export interface WebhookOptions {
  /**
   * The app's Encrypt Key: decrypts `{"encrypt"}` bodies and makes the X-Lark-Signature check
   * mandatory. During a rotation a list, the current key first: a request signed with any of them
   * is accepted and decrypted with the key its signature names.
   */
  encryptKey?: RotatingSecret | undefined;
  /** The app's Verification Token: every body's token must equal it (401 otherwise); a list during a rotation (any one matches). */
  verificationToken?: RotatingSecret | undefined;
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
  /**
   * Handlers running at once, counting those still running after their answer (`ackFirst`, or
   * the 503 at `timeoutMs`); a delivery beyond it is answered 503 with Retry-After at once, so
   * that the platform retries later. `false`: no limit. Default 100.
   */
  maxConcurrency?: number | false | undefined;
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

function checkToken(delivery: Delivery, expected: readonly string[]): void {
  if (delivery.kind === 'encrypted') return;
  const pointer = delivery.kind === 'p2' || delivery.kind === 'callback' ? '/header/token' : '/token';
  if (delivery.token === undefined) throw new TokenMismatchError(pointer, true);
  if (!matchesSecret(expected, delivery.token)) throw new TokenMismatchError(pointer, false, expected.length);
}

/**
 * The event receiver (webhook.md): the shared pipeline with the event steps. Verify: the
 * signature over the raw bytes when an Encrypt Key is set (challenges come unsigned), decryption,
 * the Verification Token. Run: the dispatcher. Nothing is dispatched when any check fails.
 */
export function createWebhookHandler(dispatcher: WebhookDispatcher, options: WebhookOptions = {}): WebhookHandler & { stats(): WebhookStats } {
  const gate = resolveGate(options);
  const logger = options.logger ?? defaultLogger;
  if (options.verificationToken === '') throw new LarkEventError('verificationToken is empty: leave it undefined when not checking it');
  const encryptKeys = encryptKeyList(options.encryptKey);
  const verificationTokens = secretList(options.verificationToken, 'verificationToken');
  if (encryptKeys === undefined && verificationTokens === undefined && !options.allowUnverified) {
    throw new LarkEventError('webhook receiver without encryptKey or verificationToken would accept forged events: configure one, or set allowUnverified: true for local development');
  }
  const ring = encryptKeys !== undefined ? new AesKeyRing(encryptKeys) : undefined;
  const signature = encryptKeys !== undefined
    ? { secret: encryptKeys, algorithm: 'sha256' as const, toleranceMs: options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS, now: options.now ?? Date.now, logger }
    : undefined;
  const scheduler = new Scheduler({ timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, onError: options.onError, onDispatch: options.onDispatch, logger });
  const isCallback = (t: string) => dispatcher.isCallback(t);
  // Reading limits per key (a signed body names its key) and one trying every key in order (unsigned challenges).
  const limits = bodyLimits(gate, { isCallback, decrypt: ring ? (e: string) => ring.decrypt(e) : undefined });
  const keyLimits = new Map(ring ? ring.keys.map((key) => {
    const cipher = ring.cipher(key);
    return [key, bodyLimits(gate, { isCallback, decrypt: (e: string) => cipher.decrypt(e) })] as const;
  }) : []);
  const ackFirst = options.ackFirst ?? false;

  return createPipeline<Delivery>({ gate, scheduler, logger, concurrency: new ConcurrencyLimit(options.maxConcurrency) }, {
    verify(request, routed) {
      const headers = signature !== undefined ? signatureHeaders(request) : undefined;
      const signed = headers !== undefined && hasSignatureHeaders(headers);
      let key: string | undefined;
      if (signed && routed?.signingKey !== undefined && headers.timestamp !== undefined) {
        // The router matched the signature with this key already; the replay window is what is left.
        checkTimestamp(headers.timestamp, signature!);
        key = routed.signingKey;
      } else if (signed) {
        key = verifyRequestSignature(request, headers, signature!);
      }
      const keyed = (key !== undefined ? keyLimits.get(key) : undefined) ?? limits;
      let delivery: Delivery;
      if (routed === undefined) delivery = readRequestDelivery(request, keyed);
      else {
        const { decrypted } = routed;
        delivery = deliveryOf(routed.body, decrypted !== undefined && key === undefined ? { ...limits, decrypt: () => decrypted } : keyed);
      }
      if (delivery.kind === 'encrypted') throw new WebhookError('body is encrypted but no encryptKey is configured', 400, { pointer: '/encrypt' });
      if (signature !== undefined && !signed && delivery.kind !== 'challenge') throw new WebhookError('missing signature header', 401, { header: SIGNATURE_HEADER });
      if (verificationTokens !== undefined) checkToken(delivery, verificationTokens);
      return delivery;
    },
    run: dispatchFor(dispatcher, 'webhook'),
    info: (d) => (d.kind === 'challenge' || d.kind === 'encrypted' ? { kind: d.kind } : { kind: d.kind, eventType: d.eventType, id: d.id }),
    ackFirst: (d) => ackFirst && (d.kind === 'p1' || d.kind === 'p2'),
    challenge: (d) => d.kind === 'challenge',
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
