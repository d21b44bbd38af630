/** Base class of every error this library throws, so callers can tell ours from theirs. */
export class LarkEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A body that is not a delivery we understand: bad UTF-8, bad JSON, or an unrecognised shape. */
export class MalformedBodyError extends LarkEventError {
  constructor(message: string, readonly pointer = '') {
    super(message);
  }
}

/**
 * The idempotency store cannot answer a claim now (unreachable, too slow, or at its cap of claims in
 * flight). The dispatcher fails closed: the delivery is answered `unavailable` (HTTP 503, code 500)
 * and its handler is not run, so the platform retries it later.
 */
export class IdempotencyUnavailableError extends LarkEventError {}
