import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

export interface VerifyOptions {
  /** The Encrypt Key (sha256) or the Verification Token (sha1). */
  readonly secret: string;
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
 * Checks the three X-Lark-* headers against the body and the replay window; throws a
 * SignatureError (401) naming the offending header. `bodies` may hold several candidate byte
 * strings (see the Express adapter): the request verifies when any of them does.
 */
export function verifySignature(headers: SignatureHeaders, bodies: Uint8Array | readonly Uint8Array[], options: VerifyOptions): void {
  const { timestamp, nonce, signature } = headers;
  if (signature === undefined) throw new SignatureError('missing signature header', SIGNATURE_HEADER);
  if (timestamp === undefined) throw new SignatureError('missing timestamp header', TIMESTAMP_HEADER);
  if (nonce === undefined) throw new SignatureError('missing nonce header', NONCE_HEADER);
  const algorithm = options.algorithm ?? 'sha256';
  const candidates = bodies instanceof Uint8Array ? [bodies] : bodies;
  let ok = false;
  for (const body of candidates) {
    if (signatureEquals(computeSignature(timestamp, nonce, options.secret, body, algorithm), signature)) ok = true;
  }
  if (!ok) throw new SignatureError('signature mismatch', SIGNATURE_HEADER);

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
