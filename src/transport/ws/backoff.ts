import type { ClientConfig } from './config.js';

export interface BackoffOptions {
  /** The first retry's delay before jitter; doubles per failure up to ReconnectInterval (default 1 s). */
  baseMs?: number | undefined;
  random?: (() => number) | undefined;
}

/**
 * Delays of one reconnect loop, within the server's config (long-connection.md §6):
 * - attempt 1 waits a uniform 0..ReconnectNonce, so that a fleet dropped at once does not
 *   reconnect at once;
 * - attempt n > 1 waits `cap/2 + random·cap/2` with `cap = min(ReconnectInterval, base·2^(n-2))`,
 *   i.e. capped exponential backoff with jitter that never exceeds ReconnectInterval;
 * - at most ReconnectCount attempts (-1: forever).
 */
export class ReconnectBackoff {
  private readonly base: number;
  private readonly random: () => number;
  /** Attempts made in the current loop. */
  attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.base = options.baseMs ?? 1_000;
    this.random = options.random ?? Math.random;
  }

  reset(): void {
    this.attempts = 0;
  }

  /** May another attempt be made under this config? */
  canRetry(config: ClientConfig): boolean {
    return config.reconnectCount < 0 || this.attempts < config.reconnectCount;
  }

  /** The delay before the next attempt; counts the attempt. */
  next(config: ClientConfig): number {
    this.attempts++;
    return backoffDelay(this.attempts, config, this.base, this.random);
  }
}

export function backoffDelay(attempt: number, config: ClientConfig, baseMs = 1_000, random: () => number = Math.random): number {
  if (attempt <= 1) return Math.round(random() * config.reconnectNonceMs);
  const exp = Math.min(2 ** Math.min(attempt - 2, 30) * baseMs, config.reconnectIntervalMs);
  return Math.round(exp / 2 + (random() * exp) / 2);
}
