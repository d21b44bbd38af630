import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LarkEventError } from '../../runtime/errors.js';
import { SignatureError } from './errors.js';

/**
 * Default replay window: a signed request whose X-Lark-Request-Timestamp is more than 5 minutes
 * away from our clock (in the past or the future) is rejected. The platform's own retries are new
 * requests with fresh timestamps, so the window only has to cover network delay and clock skew.
 */
export const DEFAULT_TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

export const TIMESTAMP_HEADER = 'X-Lark-Request-Timestamp';
export const NONCE_HEADER = 'X-Lark-Request-Nonce';
export const SIGNATURE_HEADER = 'X-Lark-Signature';

/** SHA-256 with the Encrypt Key for events and callbacks; SHA-1 with the Verification Token for legacy card actions. */
export type SignatureAlgorithm = 'sha256' | 'sha1';

export interface SignatureHeaders {
  readonly timestamp: string | undefined;
  readonly nonce: string | undefined;
  readonly signature: string | undefined;
}

/**
 * An Encrypt Key or a Verification Token, or a list of them during a rotation: the first is the
 * current one, the others still verify until the platform has switched over.
 */
export type RotatingSecret = string | readonly string[];

/**
 * The secrets of an option as a non-empty list, or undefined when the option is unset. Throws a
 * LarkEventError naming the option for an empty string, an empty list or a non-string entry.
 */
export function secretList(value: RotatingSecret | undefined, option: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (value === '') throw new LarkEventError(`${option} is empty: leave it undefined when not using it`);
    return [value];
  }
  if (!Array.isArray(value)) throw new LarkEventError(`${option} must be a string or a list of strings`);
  if (value.length === 0) throw new LarkEventError(`${option} is an empty list: give at least the current one, or leave it undefined`);
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'string' || v === '') throw new LarkEventError(`${option}[${i}] must be a non-empty string`);
  });
  return [...(value as readonly string[])];
}

/** The Encrypt Keys of an `encryptKey` option; an empty string is a mistake, not "no key" (undefined is). */
export function encryptKeyList(value: RotatingSecret | undefined): readonly string[] | undefined {
  if (value === '') throw new LarkEventError('encryptKey is empty: leave it undefined when the app has no Encrypt Key');
  return secretList(value, 'encryptKey');
}

/** Whether `received` equals one of the secrets; every secret is compared in constant time (no early exit). */
export function matchesSecret(secrets: readonly string[], received: string): boolean {
  let ok = false;
  for (const secret of secrets) if (constantTimeEqual(secret, received)) ok = true;
  return ok;
}

export interface VerifyOptions {
  /** The Encrypt Key (sha256) or the Verification Token (sha1); a list during a rotation (any one verifies). */
  readonly secret: RotatingSecret;
  readonly algorithm?: SignatureAlgorithm | undefined;
  /** Replay window in ms, or `false` for none. Default {@link DEFAULT_TIMESTAMP_TOLERANCE_MS}. */
  readonly toleranceMs?: number | false | undefined;
  readonly now?: (() => number) | undefined;
}

/** hex(H(timestamp + nonce + secret + body)) over the body's exact bytes (webhook.md §3, §6). */
export function computeSignature(timestamp: string, nonce: string, secret: string, body: Uint8Array | string, algorithm: SignatureAlgorithm = 'sha256'): string {
  return createHash(algorithm).update(timestamp + nonce + secret, 'utf8').update(body).digest('hex');
}

/** Constant-time string comparison (timingSafeEqual on equal-length UTF-8 buffers). */
export function constantTimeEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  // timingSafeEqual needs equal lengths; a digest's length is public, so the early return leaks nothing.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time comparison of an expected lowercase hex digest with a received header value. */
export function signatureEquals(expectedHex: string, received: string): boolean {
  return constantTimeEqual(expectedHex, received.toLowerCase());
}

/**
 * The secret (of several, during a rotation) whose signature over one of `bodies` equals the
 * header, or undefined. Headers must be present. Every comparison runs in constant time.
 */
export function signingSecret(headers: SignatureHeaders, bodies: Uint8Array | readonly Uint8Array[], secrets: RotatingSecret, algorithm: SignatureAlgorithm = 'sha256'): string | undefined {
  const { timestamp, nonce, signature } = headers;
  if (timestamp === undefined || nonce === undefined || signature === undefined) return undefined;
  const candidates = bodies instanceof Uint8Array ? [bodies] : bodies;
  let found: string | undefined;
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    for (const body of candidates) {
      if (signatureEquals(computeSignature(timestamp, nonce, secret, body, algorithm), signature)) found ??= secret;
    }
  }
  return found;
}

/**
 * Checks the three X-Lark-* headers against the body and the replay window; throws a
 * SignatureError (401) naming the offending header. `bodies` may hold several candidate byte
 * strings (see the Express adapter): the request verifies when any of them does. Returns the
 * secret that verified (the one to decrypt with, when several keys are configured).
 */
export function verifySignature(headers: SignatureHeaders, bodies: Uint8Array | readonly Uint8Array[], options: VerifyOptions): string {
  const { timestamp, nonce, signature } = headers;
  if (signature === undefined) throw new SignatureError('missing signature header', SIGNATURE_HEADER);
  if (timestamp === undefined) throw new SignatureError('missing timestamp header', TIMESTAMP_HEADER);
  if (nonce === undefined) throw new SignatureError('missing nonce header', NONCE_HEADER);
  const secret = signingSecret(headers, bodies, options.secret, options.algorithm ?? 'sha256');
  if (secret === undefined) {
    const count = typeof options.secret === 'string' ? 1 : options.secret.length;
    throw new SignatureError(count > 1 ? `signature mismatch: signed with none of the ${count} configured keys` : 'signature mismatch', SIGNATURE_HEADER);
  }
  checkTimestamp(timestamp, options);
  return secret;
}

/** The replay-window part of verifySignature, on its own for a signature already matched; throws a SignatureError. */
export function checkTimestamp(timestamp: string, options: Pick<VerifyOptions, 'toleranceMs' | 'now'>): void {
  const tolerance = options.toleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS;
  if (tolerance === false) return;
  if (!/^\d{1,12}$/.test(timestamp)) throw new SignatureError('timestamp is not epoch seconds', TIMESTAMP_HEADER);
  const skew = (options.now ?? Date.now)() - Number(timestamp) * 1000;
  if (Math.abs(skew) > tolerance) {
    throw new SignatureError(skew > 0 ? 'request timestamp too old (replay window)' : 'request timestamp in the future (replay window)', TIMESTAMP_HEADER, { toleranceMs: tolerance });
  }
}

/** The X-Lark-* headers the platform would send for `body`: for tests, emulators and clients. */
export function signRequest(body: Uint8Array | string, secret: string, options: { timestamp?: string; nonce?: string; algorithm?: SignatureAlgorithm } = {}): Record<string, string> {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(8).toString('hex');
  return {
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    'x-lark-signature': computeSignature(timestamp, nonce, secret, body, options.algorithm ?? 'sha256'),
  };
}
