import type { DispatcherBase, DispatchResult } from '../../runtime/dispatcher.js';
import type { Delivery } from '../../runtime/delivery.js';
import { parseDelivery } from '../../runtime/delivery.js';
import { LarkEventError, MalformedBodyError } from '../../runtime/errors.js';
import { isRecord, parseJson } from '../../runtime/json.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { AesCipher } from './crypto.js';
import { PayloadTooLargeError, TokenMismatchError, WebhookError } from './errors.js';
import type { ParsedBody, WebhookRequest, WebhookResponse } from './request.js';
import { checkContentType, checkDepth, decodeBody, errorResponse, getHeader, jsonResponse, pathOf } from './request.js';
import { DEFAULT_MAX_BODY_BYTES } from './raw-body.js';
import type { SignatureAlgorithm, SignatureHeaders } from './signature.js';
import { constantTimeEqual, DEFAULT_TIMESTAMP_TOLERANCE_MS, SIGNATURE_HEADER, verifySignature } from './signature.js';
import type { ErrorHook } from './timing.js';
import { DEFAULT_TIMEOUT_MS, Scheduler } from './timing.js';

/** Default nesting limit of a body; real payloads nest about 10 levels. */
export const DEFAULT_MAX_JSON_DEPTH = 128;

/** What the receiver needs of a dispatcher (any `EventDispatcher` or domain dispatcher). */
export type WebhookDispatcher = Pick<DispatcherBase, 'isCallback' | 'dispatchDelivery'>;

export interface WebhookOptions {
  /** The app's Encrypt Key: decrypts `{"encrypt"}` bodies and makes the X-Lark-Signature check mandatory. */
  encryptKey?: string;
  /** The app's Verification Token: every body's token must equal it (401 otherwise). */
  verificationToken?: string;
  /** Only this path is served (404 elsewhere); any path when unset. Framework adapters pass other paths on. */
  path?: string;
  /** Largest body accepted, in bytes (413 above). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted (400 above). Default 128. */
  maxJsonDepth?: number;
  /** Replay window on X-Lark-Request-Timestamp for signed requests, or `false` for none. Default 5 minutes. */
  timestampToleranceMs?: number | false;
  /** Answer events 200 before the handler runs; failures go to `onError`. Never applies to callbacks. Default false. */
  ackFirst?: boolean;
  /** Answer 503 when the handler has not finished after this long (it keeps running), or `false`. Default 2500 ms. */
  timeoutMs?: number | false;
  /** Handler failures, invalid callback responses, and anything failing after the answer was sent. */
  onError?: ErrorHook;
  /** Called once per dispatched delivery (challenges included) with its outcome. */
  onDispatch?: (result: DispatchResult) => void;
  logger?: Logger;
  /**
   * Without an Encrypt Key or a Verification Token nothing proves a request comes from the
   * platform, so creating such a receiver throws unless this is set (local development only).
   */
  allowUnverified?: boolean;
  /** The clock used for the replay window (tests). */
  now?: () => number;
}

export interface WebhookHandler {
  /** Answers one request. Never throws: every failure becomes a JSON error response. */
  handle(request: WebhookRequest): Promise<WebhookResponse>;
  /**
   * The checks that need no body (405, 404, 415, 413 by Content-Length): adapters call it before
   * reading the body and answer its response, if any.
   */
  precheck(request: Omit<WebhookRequest, 'body'>): WebhookResponse | undefined;
  /** Resolves when handlers still running after their answer (ack-first, timed out) have finished. */
  drain(): Promise<void>;
  /** The body limit adapters enforce while reading. */
  readonly maxBodyBytes: number;
  /** The configured path, if any. */
  readonly path: string | undefined;
}

/** The checks every webhook endpoint shares (events and legacy cards), before the body is understood. */
export interface Gate {
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly path: string | undefined;
}

export function resolveGate(options: { path?: string | undefined; maxBodyBytes?: number | undefined; maxJsonDepth?: number | undefined }): Gate {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxJsonDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  if (!(maxBodyBytes > 0)) throw new LarkEventError('maxBodyBytes must be a positive number');
  if (!(maxJsonDepth > 0)) throw new LarkEventError('maxJsonDepth must be a positive number');
  return { maxBodyBytes, maxJsonDepth, path: options.path };
}

const EMPTY = new Uint8Array(0);

export function precheck(gate: Gate, request: Omit<WebhookRequest, 'body'>): WebhookResponse | undefined {
  try {
    checkRequest(gate, { ...request, body: EMPTY });
    const length = getHeader(request.headers, 'content-length');
    if (length !== undefined && /^\d+$/.test(length) && Number(length) > gate.maxBodyBytes) throw new PayloadTooLargeError(gate.maxBodyBytes);
    return undefined;
  } catch (err) {
    if (err instanceof WebhookError) return errorResponse(err);
    throw err;
  }
}

/** 405 / 404 / 415 / 413 in that order; throws a WebhookError. */
export function checkRequest(gate: Gate, request: WebhookRequest): void {
  if (request.method !== 'POST' && request.method.toUpperCase() !== 'POST') throw new WebhookError('method not allowed', 405, { allow: 'POST' });
  if (gate.path !== undefined && request.path !== undefined && pathOf(request.path) !== gate.path) {
    throw new WebhookError('not found', 404);
  }
  checkContentType(getHeader(request.headers, 'content-type'));
  if (request.body instanceof Uint8Array && request.body.byteLength > gate.maxBodyBytes) {
    throw new PayloadTooLargeError(gate.maxBodyBytes);
  }
}

export function signatureHeaders(request: WebhookRequest): SignatureHeaders {
  return {
    timestamp: getHeader(request.headers, 'x-lark-request-timestamp'),
    nonce: getHeader(request.headers, 'x-lark-request-nonce'),
    signature: getHeader(request.headers, 'x-lark-signature'),
  };
}

export const hasSignatureHeaders = (h: SignatureHeaders): boolean => h.signature !== undefined || h.timestamp !== undefined || h.nonce !== undefined;

export const isParsed = (body: Uint8Array | ParsedBody | string): body is ParsedBody => typeof body === 'object' && !(body instanceof Uint8Array);

/**
 * The bytes a signature may have been computed over when only a parsed body is left: the
 * compact serialisation, which is exactly what the platform sends for an encrypted wrapper
 * `{"encrypt":"<base64>"}`. A match proves the key holder signed a body with this very content.
 */
export function reconstructedBodies(parsed: unknown): Uint8Array[] {
  try {
    const text = JSON.stringify(parsed);
    return text === undefined ? [] : [Buffer.from(text, 'utf8')];
  } catch {
    return [];
  }
}

/** JSON.parse + depth limit; MalformedBodyError on any failure. */
export function parseBodyText(text: string, maxJsonDepth: number): unknown {
  const value = parseJson(text);
  checkDepth(value, maxJsonDepth);
  return value;
}

/** The body as a JSON object (never re-parsing a JSON string value as JSON). */
export function readBody(body: Uint8Array | ParsedBody | string, maxJsonDepth: number): Record<string, unknown> {
  let value: unknown;
  if (typeof body === 'string') value = parseBodyText(body, maxJsonDepth);
  else if (isParsed(body)) checkDepth((value = body.parsed), maxJsonDepth);
  else value = parseBodyText(decodeBody(body), maxJsonDepth);
  if (!isRecord(value)) throw new MalformedBodyError('body must be a JSON object');
  return value;
}

/** The handler object both receivers return: gate facts, drain, precheck, and a handle that never throws. */
export function assembleHandler(gate: Gate, scheduler: Scheduler, logger: Logger, handle: (request: WebhookRequest) => Promise<WebhookResponse>): WebhookHandler {
  return {
    maxBodyBytes: gate.maxBodyBytes,
    path: gate.path,
    drain: () => scheduler.drain(),
    precheck: (request) => precheck(gate, request),
    async handle(request) {
      try {
        return await handle(request);
      } catch (err) {
        return failureResponse(err, logger);
      }
    },
  };
}

/** The handler's answer to a thrown error: a WebhookError's own, 400 for a malformed body, 500 otherwise. */
export function failureResponse(err: unknown, logger: Logger): WebhookResponse {
  if (err instanceof WebhookError) {
    logger.debug(`webhook request rejected: ${err.status} ${err.message}`, err.toBody());
    return errorResponse(err);
  }
  if (err instanceof MalformedBodyError) {
    return jsonResponse(400, err.pointer ? { error: err.message, pointer: err.pointer } : { error: err.message });
  }
  logger.error('webhook receiver failed', { error: err instanceof Error ? err.message : String(err) });
  return jsonResponse(500, { error: 'internal error' });
}

export const tokensEqual = (expected: string, received: string): boolean => constantTimeEqual(expected, received);

function checkToken(delivery: Delivery, expected: string): void {
  if (delivery.kind === 'encrypted') return;
  const pointer = delivery.kind === 'p2' || delivery.kind === 'callback' ? '/header/token' : '/token';
  if (delivery.token === undefined) throw new TokenMismatchError(pointer, true);
  if (!tokensEqual(expected, delivery.token)) throw new TokenMismatchError(pointer, false);
}

/** Verifies the signature over the exact bytes, or over the reconstruction of an already-parsed body. */
export function verifyRequestSignature(
  request: WebhookRequest,
  headers: SignatureHeaders,
  secret: string,
  algorithm: SignatureAlgorithm,
  toleranceMs: number | false,
  now: () => number,
  logger: Logger,
): void {
  const bodies = isParsed(request.body) ? reconstructedBodies(request.body.parsed) : request.body;
  try {
    verifySignature(headers, bodies, { secret, algorithm, toleranceMs, now });
  } catch (err) {
    if (isParsed(request.body) && err instanceof WebhookError && err.detail.header === SIGNATURE_HEADER && headers.signature !== undefined) {
      const hint = 'the raw body was not available (a body parser ran first) and its re-serialisation does not match the signature: mount this middleware before the body parser, or keep the raw bytes (express.json({ verify: captureRawBody }))';
      logger.warn(`webhook signature check failed without the raw body: ${hint}`);
      throw new WebhookError(err.message, 401, { ...err.detail, hint });
    }
    throw err;
  }
}

/**
 * The transport-independent webhook receiver (webhook.md): checks method, path, content type
 * and size; the signature and replay window when an Encrypt Key is set; decrypts; checks the
 * Verification Token; answers challenges; dispatches events and callbacks. Nothing is dispatched
 * when any check fails.
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
  const toleranceMs = options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS;
  const now = options.now ?? Date.now;
  const ackFirst = options.ackFirst ?? false;
  const scheduler = new Scheduler({
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onError: options.onError,
    onDispatch: options.onDispatch,
    logger,
  });
  const isCallback = (t: string) => dispatcher.isCallback(t);

  async function handle(request: WebhookRequest): Promise<WebhookResponse> {
    checkRequest(gate, request);
    const sigHeaders = signatureHeaders(request);
    // Challenges come unsigned: an unsigned request is only accepted if it turns out to be one.
    const signed = encryptKey !== undefined && hasSignatureHeaders(sigHeaders);
    if (signed) verifyRequestSignature(request, sigHeaders, encryptKey, 'sha256', toleranceMs, now, logger);

    let delivery = parseDelivery(readBody(request.body, gate.maxJsonDepth), isCallback);
    if (delivery.kind === 'encrypted') {
      if (!cipher) throw new WebhookError('body is encrypted but no encryptKey is configured', 400, { pointer: '/encrypt' });
      const plaintext = cipher.decrypt(delivery.encrypt);
      try {
        delivery = parseDelivery(readBody(plaintext, gate.maxJsonDepth), isCallback);
      } catch (err) {
        if (err instanceof MalformedBodyError) throw new WebhookError(`decrypted body: ${err.message}`, 400, err.pointer ? { pointer: err.pointer } : {});
        throw err;
      }
      if (delivery.kind === 'encrypted') throw new WebhookError('decrypted body is encrypted again', 400, { pointer: '/encrypt' });
    }
    if (encryptKey !== undefined && !signed && delivery.kind !== 'challenge') {
      throw new WebhookError('missing signature header', 401, { header: SIGNATURE_HEADER });
    }
    if (verificationToken !== undefined) checkToken(delivery, verificationToken);

    const d = delivery;
    const info = d.kind === 'challenge' ? { kind: 'challenge' } : { kind: d.kind, eventType: d.eventType, id: d.id };
    const timed = await scheduler.run(() => dispatcher.dispatchDelivery(d, 'webhook'), info, ackFirst && (d.kind === 'p1' || d.kind === 'p2'));
    if (timed.state === 'acked') return jsonResponse(200, {});
    if (timed.state === 'timeout') return jsonResponse(503, { error: 'handler timed out', timeoutMs: timed.timeoutMs });
    const result = timed.result;
    return { ...jsonResponse(result.httpStatus, result.body), result };
  }

  return assembleHandler(gate, scheduler, logger, handle);
}

/** Adapters take either a dispatcher (plus options) or a ready handler (e.g. a legacy card handler). */
export type WebhookTarget = WebhookDispatcher | WebhookHandler;

export function toWebhookHandler(target: WebhookTarget, options?: WebhookOptions): WebhookHandler {
  if ('handle' in target && typeof target.handle === 'function' && !('dispatchDelivery' in target)) {
    if (options !== undefined) throw new LarkEventError('options go to createWebhookHandler / createLegacyCardHandler when an adapter is given a handler');
    return target;
  }
  return createWebhookHandler(target as WebhookDispatcher, options);
}
