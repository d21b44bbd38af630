import { LarkEventError } from '../runtime/errors.js';

/** A bad inbox URL, or a Redis that cannot be reached; the message names the URL without its password. */
export class InboxConnectionError extends LarkEventError {
  constructor(message: string, readonly url: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Redis did not acknowledge the enqueue in time, or refused it: the receiver answers a failure so the platform retries. */
export class EnqueueError extends LarkEventError {}
