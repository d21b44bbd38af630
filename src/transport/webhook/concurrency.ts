import { LarkEventError } from '../../runtime/errors.js';
import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import type { WebhookResponse } from './request.js';
import { jsonResponse } from './request.js';
import { isThenable } from '../../util/thenable.js';

/** Handlers a webhook receiver runs at once by default (answered or not). */
export const DEFAULT_WEBHOOK_MAX_CONCURRENCY = 100;
/** What a busy receiver's 503 suggests; the platform retries on its own schedule anyway (webhook.md §5). */
const RETRY_AFTER_S = 1;

export interface WebhookStats {
  /** Handlers running now, including those still running after their answer (ack-first, timed out). */
  readonly running: number;
  /** The most that ran at once. */
  readonly peakRunning: number;
  /** Requests answered 503 because `maxConcurrency` handlers were running. */
  readonly refused: number;
}

/**
 * The webhook's bound on handlers: a delivery that would be the `max + 1`-th running handler is
 * answered 503 with Retry-After at once, so that the platform retries it later, rather than run.
 * A handler holds its slot until it settles, also after an early answer (`ackFirst`, or the 503
 * at `timeoutMs`), so work left running in the background is bounded too.
 */
export class ConcurrencyLimit {
  private running = 0;
  private peakRunning = 0;
  private refused = 0;
  private readonly max: number;

  constructor(max: number | false | undefined) {
    const value = max ?? DEFAULT_WEBHOOK_MAX_CONCURRENCY;
    if (value !== false && !(Number.isInteger(value) && value >= 1)) throw new LarkEventError('maxConcurrency must be a positive integer, or false for no limit');
    this.max = value === false ? Number.POSITIVE_INFINITY : value;
  }

  /** Takes a slot; false when all are taken (the caller answers `busy()`). */
  tryAcquire(): boolean {
    if (this.running >= this.max) {
      this.refused++;
      return false;
    }
    this.running++;
    if (this.running > this.peakRunning) this.peakRunning = this.running;
    return true;
  }

  /**
   * Runs a step in the slot `tryAcquire` took: an outcome already there gives the slot back at
   * once; a Promise holds it until it settles.
   */
  hold<D>(steps: { run(delivery: D): DispatchOutcome | Promise<DispatchOutcome> }, delivery: D): DispatchOutcome | Promise<DispatchOutcome> {
    let result: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      result = steps.run(delivery);
    } catch (err) {
      this.release();
      throw err;
    }
    if (isThenable(result)) result.then(this.release, this.release);
    else this.release();
    return result;
  }

  /** 503 with Retry-After: the platform retries (webhook.md §5). */
  busy(): WebhookResponse {
    return jsonResponse(503, { error: 'too many deliveries in progress, retry later', maxConcurrency: this.max }, { 'retry-after': String(RETRY_AFTER_S) });
  }

  private readonly release = (): void => {
    this.running--;
  };

  stats(): WebhookStats {
    return { running: this.running, peakRunning: this.peakRunning, refused: this.refused };
  }
}
