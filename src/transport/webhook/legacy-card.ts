import type { LegacyCardAction } from '../../../generated/common/types.js';
import { validators as commonValidators, shapes as commonShapes } from '../../../generated/common/validators.js';
import type { DispatchOutcome, ValidationMode } from '../../runtime/dispatcher.js';
import { isRecord } from '../../runtime/delivery.js';
import { LarkEventError } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { formatIssue, runValidator } from '../../runtime/validation.js';
import { webhookAnswer } from './answer.js';
import { AesKeyRing } from './crypto.js';
import { TokenMismatchError, WebhookError } from './errors.js';
import type { WebhookHandler } from './pipeline.js';
import { bodyLimits, createPipeline, hasSignatureHeaders, readRequestObject, resolveGate, signatureHeaders, verifyRequestSignature } from './pipeline.js';
import type { RotatingSecret } from './signature.js';
import { DEFAULT_TIMESTAMP_TOLERANCE_MS, encryptKeyList, matchesSecret, SIGNATURE_HEADER, secretList } from './signature.js';
import type { ErrorHook } from './timing.js';
import { DEFAULT_TIMEOUT_MS, Scheduler } from './timing.js';

export type { LegacyCardAction } from '../../../generated/common/types.js';

/** The event type legacy card actions are reported under (onDispatch, onError, logs): they have none of their own. */
export const LEGACY_CARD_EVENT_TYPE = 'legacy_card_action';

/** A card JSON that replaces the card, or `{ toast: {...} }`, or nothing (answered `{}`). */
export type LegacyCardResponse = Record<string, unknown>;

export type LegacyCardActionHandler = (action: LegacyCardAction) => LegacyCardResponse | void | undefined | Promise<LegacyCardResponse | void | undefined>;

export interface LegacyCardOptions {
  /** Required: the SHA-1 signature of every action is keyed with it, and the challenge carries it. A list during a rotation (current first; any one verifies). */
  verificationToken: RotatingSecret;
  /** When the app has one: `{"encrypt"}` bodies are decrypted (and then signed with SHA-256 and this key, like events). A list during a rotation. */
  encryptKey?: RotatingSecret | undefined;
  path?: string | undefined;
  maxBodyBytes?: number | undefined;
  maxJsonDepth?: number | undefined;
  timestampToleranceMs?: number | false | undefined;
  timeoutMs?: number | false | undefined;
  /** Check actions against the LegacyCardAction schema: `off`, `warn` (default) or `reject` (400). */
  validation?: ValidationMode | undefined;
  onError?: ErrorHook | undefined;
  onDispatch?: ((result: DispatchOutcome) => void) | undefined;
  logger?: Logger | undefined;
  now?: (() => number) | undefined;
}

/** What the legacy verify step hands to its run step. */
type CardDelivery = { readonly kind: 'challenge'; readonly challenge: string } | { readonly kind: 'action'; readonly action: LegacyCardAction };

/**
 * Receives legacy message-card actions on the card request URL (webhook.md §6): flat JSON, signed
 * with hex(SHA-1(timestamp + nonce + verificationToken + raw body)), or, when encrypted, with
 * SHA-256 and the Encrypt Key like events. The shared pipeline with the card steps; the handler's
 * return value is the response body. New apps should register `card.action.trigger` on the event
 * receiver instead.
 */
export function createLegacyCardHandler(handler: LegacyCardActionHandler, options: LegacyCardOptions): WebhookHandler {
  if (typeof handler !== 'function') throw new TypeError('legacy card handler must be a function');
  if (!options.verificationToken) throw new LarkEventError('createLegacyCardHandler needs the verificationToken: it keys the card signature');
  const gate = resolveGate(options);
  const logger = options.logger ?? defaultLogger;
  const verificationTokens = secretList(options.verificationToken, 'verificationToken') ?? [];
  const encryptKeys = encryptKeyList(options.encryptKey);
  const ring = encryptKeys ? new AesKeyRing(encryptKeys) : undefined;
  const check = { toleranceMs: options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS, now: options.now ?? Date.now, logger };
  const validation = options.validation ?? 'warn';
  const validator = commonValidators.LegacyCardAction;
  const scheduler = new Scheduler({ timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, onError: options.onError, onDispatch: options.onDispatch, logger });
  const meta = { eventType: LEGACY_CARD_EVENT_TYPE, id: undefined };
  const limits = bodyLimits(gate);

  function verify(request: Parameters<WebhookHandler['handle']>[0]): CardDelivery {
    const sig = signatureHeaders(request);
    let body = readRequestObject(request.body, limits);
    const signed = hasSignatureHeaders(sig);
    // The algorithm depends on the body: an encrypted wrapper is signed like an event.
    if (typeof body.encrypt === 'string') {
      if (!ring) throw new WebhookError('body is encrypted but no encryptKey is configured', 400, { pointer: '/encrypt' });
      // A signature names the key to decrypt with; an unsigned body (a challenge) tries each in order.
      const key = signed ? verifyRequestSignature(request, sig, { ...check, secret: ring.keys, algorithm: 'sha256' }) : undefined;
      body = readRequestObject(key !== undefined ? ring.cipher(key).decrypt(body.encrypt) : ring.decrypt(body.encrypt), limits);
    } else if (signed) {
      verifyRequestSignature(request, sig, { ...check, secret: verificationTokens, algorithm: 'sha1' });
    }
    if (body.type === 'url_verification') {
      if (typeof body.challenge !== 'string') throw new WebhookError('url_verification body lacks a string "challenge"', 400, { pointer: '/challenge' });
      if (typeof body.token !== 'string') throw new TokenMismatchError('/token', true);
      if (!matchesSecret(verificationTokens, body.token)) throw new TokenMismatchError('/token', false, verificationTokens.length);
      return { kind: 'challenge', challenge: body.challenge };
    }
    if (!signed) throw new WebhookError('missing signature header', 401, { header: SIGNATURE_HEADER });
    if (body.schema === '2.0') {
      throw new WebhookError('a schema 2.0 card callback (card.action.trigger) belongs on the event receiver, not the legacy card handler', 400, { pointer: '/schema' });
    }
    if (validation !== 'off' && validator) {
      const result = runValidator(validator, commonShapes.LegacyCardAction, body, false, LEGACY_CARD_EVENT_TYPE);
      if (!result.valid) {
        const details = result.errors.slice(0, 10).map(formatIssue);
        if (validation === 'reject') throw new WebhookError('invalid legacy card action', 400, { details });
        logger.warn('legacy card action does not match its schema', { errors: details.slice(0, 5) });
      }
    }
    return { kind: 'action', action: body as unknown as LegacyCardAction };
  }

  async function run(d: CardDelivery): Promise<DispatchOutcome> {
    if (d.kind === 'challenge') return { status: 'challenge', kind: 'challenge', response: { challenge: d.challenge } };
    let response: unknown;
    try {
      response = await handler(d.action);
    } catch (error) {
      logger.error('legacy card handler failed', { error: error instanceof Error ? error.message : String(error) });
      return { status: 'failed', ...meta, error };
    }
    if (response === undefined || response === null) return { status: 'handled', ...meta, response: {} };
    if (!isRecord(response)) return { status: 'failed', ...meta, error: new LarkEventError('a legacy card handler must return an object or nothing'), errors: [] };
    return { status: 'handled', ...meta, response };
  }

  return createPipeline<CardDelivery>({ gate, scheduler, logger }, {
    verify,
    run,
    info: (d) => (d.kind === 'challenge' ? { kind: 'challenge' } : { eventType: LEGACY_CARD_EVENT_TYPE }),
    answer: (o) => (o.status === 'failed' && o.errors ? { status: 500, body: { error: 'invalid legacy card response' } } : webhookAnswer(o)),
  });
}
