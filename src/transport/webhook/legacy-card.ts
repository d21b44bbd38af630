import type { LegacyCardAction } from '../../../generated/common/types.js';
import { validators as commonValidators, shapes as commonShapes } from '../../../generated/common/validators.js';
import type { DispatchResult, ValidationMode } from '../../runtime/dispatcher.js';
import { LarkEventError } from '../../runtime/errors.js';
import { isRecord } from '../../runtime/json.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { formatIssue, runValidator } from '../../runtime/validation.js';
import { AesCipher } from './crypto.js';
import { TokenMismatchError, WebhookError } from './errors.js';
import type { WebhookHandler } from './receiver.js';
import type { WebhookResponse } from './request.js';
import { assembleHandler, checkRequest, hasSignatureHeaders, readBody, resolveGate, signatureHeaders, tokensEqual, verifyRequestSignature } from './receiver.js';
import { jsonResponse } from './request.js';
import { DEFAULT_TIMESTAMP_TOLERANCE_MS, SIGNATURE_HEADER } from './signature.js';
import type { ErrorHook } from './timing.js';
import { DEFAULT_TIMEOUT_MS, Scheduler } from './timing.js';

export type { LegacyCardAction } from '../../../generated/common/types.js';

/** The event type legacy card actions are reported under (onDispatch, onError, logs): they have none of their own. */
export const LEGACY_CARD_EVENT_TYPE = 'legacy_card_action';

/** A card JSON that replaces the card, or `{ toast: {...} }`, or nothing (answered `{}`). */
export type LegacyCardResponse = Record<string, unknown>;

export type LegacyCardActionHandler = (action: LegacyCardAction) => LegacyCardResponse | void | undefined | Promise<LegacyCardResponse | void | undefined>;

export interface LegacyCardOptions {
  /** Required: the SHA-1 signature of every action is keyed with it, and the challenge carries it. */
  verificationToken: string;
  /** When the app has one: `{"encrypt"}` bodies are decrypted (and then signed with SHA-256 and this key, like events). */
  encryptKey?: string;
  path?: string;
  maxBodyBytes?: number;
  maxJsonDepth?: number;
  timestampToleranceMs?: number | false;
  timeoutMs?: number | false;
  /** Check actions against the LegacyCardAction schema: `off`, `warn` (default) or `reject` (400). */
  validation?: ValidationMode;
  onError?: ErrorHook;
  onDispatch?: (result: DispatchResult) => void;
  logger?: Logger;
  now?: () => number;
}

/**
 * Receives legacy message-card actions on the card request URL (webhook.md §6): flat JSON, signed
 * with hex(SHA-1(timestamp + nonce + verificationToken + raw body)). The handler's return value is
 * the response body. New apps should register `card.action.trigger` on the event receiver instead.
 */
export function createLegacyCardHandler(handler: LegacyCardActionHandler, options: LegacyCardOptions): WebhookHandler {
  if (typeof handler !== 'function') throw new TypeError('legacy card handler must be a function');
  if (!options.verificationToken) throw new LarkEventError('createLegacyCardHandler needs the verificationToken: it keys the card signature');
  const gate = resolveGate(options);
  const logger = options.logger ?? defaultLogger;
  const { verificationToken, encryptKey } = options;
  const cipher = encryptKey ? new AesCipher(encryptKey) : undefined;
  const toleranceMs = options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS;
  const now = options.now ?? Date.now;
  const validation = options.validation ?? 'warn';
  const validator = commonValidators.LegacyCardAction;
  const scheduler = new Scheduler({ timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, onError: options.onError, onDispatch: options.onDispatch, logger });

  async function run(action: LegacyCardAction): Promise<DispatchResult> {
    const meta = { eventType: LEGACY_CARD_EVENT_TYPE, id: undefined };
    let response: unknown;
    try {
      response = await handler(action);
    } catch (error) {
      logger.error('legacy card handler failed', { error: error instanceof Error ? error.message : String(error) });
      return { status: 'failed', ...meta, error, httpStatus: 500, body: { error: 'handler failed' } };
    }
    if (response === undefined || response === null) return { status: 'handled', ...meta, response: {}, httpStatus: 200, body: {} };
    if (!isRecord(response)) {
      return { status: 'failed', ...meta, error: new LarkEventError('a legacy card handler must return an object or nothing'), httpStatus: 500, body: { error: 'invalid legacy card response' } };
    }
    return { status: 'handled', ...meta, response, httpStatus: 200, body: response };
  }

  async function handle(request: Parameters<WebhookHandler['handle']>[0]): Promise<WebhookResponse> {
    checkRequest(gate, request);
    const sig = signatureHeaders(request);
    let body = readBody(request.body, gate.maxJsonDepth);
    const signed = hasSignatureHeaders(sig);
    if (typeof body.encrypt === 'string') {
      if (!cipher || !encryptKey) throw new WebhookError('body is encrypted but no encryptKey is configured', 400, { pointer: '/encrypt' });
      if (signed) verifyRequestSignature(request, sig, encryptKey, 'sha256', toleranceMs, now, logger);
      body = readBody(cipher.decrypt(body.encrypt), gate.maxJsonDepth);
    } else if (signed) {
      verifyRequestSignature(request, sig, verificationToken, 'sha1', toleranceMs, now, logger);
    }

    if (body.type === 'url_verification') {
      if (typeof body.challenge !== 'string') throw new WebhookError('url_verification body lacks a string "challenge"', 400, { pointer: '/challenge' });
      if (typeof body.token !== 'string') throw new TokenMismatchError('/token', true);
      if (!tokensEqual(verificationToken, body.token)) throw new TokenMismatchError('/token', false);
      const result: DispatchResult = { status: 'challenge', kind: 'challenge', httpStatus: 200, body: { challenge: body.challenge } };
      scheduler.notify(result);
      return { ...jsonResponse(200, result.body), result };
    }
    if (!signed) throw new WebhookError('missing signature header', 401, { header: SIGNATURE_HEADER });
    if (body.schema === '2.0') {
      throw new WebhookError('a schema 2.0 card callback (card.action.trigger) belongs on the event receiver, not the legacy card handler', 400, { pointer: '/schema' });
    }
    if (validation !== 'off' && validator) {
      const check = runValidator(validator, commonShapes.LegacyCardAction, body, false, LEGACY_CARD_EVENT_TYPE);
      if (!check.valid) {
        const details = check.errors.slice(0, 10).map(formatIssue);
        if (validation === 'reject') throw new WebhookError('invalid legacy card action', 400, { details });
        logger.warn('legacy card action does not match its schema', { errors: details.slice(0, 5) });
      }
    }
    const action = body as unknown as LegacyCardAction;
    const timed = await scheduler.run(() => run(action), { eventType: LEGACY_CARD_EVENT_TYPE }, false);
    if (timed.state === 'timeout') return jsonResponse(503, { error: 'handler timed out', timeoutMs: timed.timeoutMs });
    if (timed.state === 'acked') return jsonResponse(200, {});
    return { ...jsonResponse(timed.result.httpStatus, timed.result.body), result: timed.result };
  }

  return assembleHandler(gate, scheduler, logger, handle);
}
