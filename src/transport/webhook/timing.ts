import type { DispatchOutcome, DispatchStatus } from '../../runtime/dispatcher.js';
import { LarkEventError } from '../../runtime/errors.js';
import { webhookAnswer } from './answer.js';
import type { Logger } from '../../runtime/logger.js';
import { isThenable } from '../../util/thenable.js';

/**
 * Default handler time budget. The platform gives up after 3 s and retries; answering at 2.5 s
 * leaves room for network latency and makes our answer, not the platform's timeout, the outcome.
 */
export const DEFAULT_TIMEOUT_MS = 2500;

export interface DeliveryInfo {
  readonly kind?: string | undefined;
  readonly eventType?: string | undefined;
  readonly id?: string | undefined;
  readonly status?: DispatchStatus | undefined;
}

/** Reports failures: handler errors, invalid callback responses, and failures the platform never hears of (ack-first, late). */
export type ErrorHook = (error: unknown, info: DeliveryInfo) => void;

export type Timed =
  | { readonly state: 'done'; readonly result: DispatchOutcome }
  | { readonly state: 'acked' }
  | { readonly state: 'timeout'; readonly timeoutMs: number };

export interface TimingOptions {
  readonly timeoutMs: number | false;
  readonly onError: ErrorHook | undefined;
  readonly onDispatch: ((result: DispatchOutcome) => void) | undefined;
  readonly logger: Logger;
}

/** What runNow needs of a pipeline's steps. */
export interface RunSteps<D> {
  run(delivery: D): DispatchOutcome | Promise<DispatchOutcome>;
  info(delivery: D): DeliveryInfo;
}

const SILENT_STATUSES = new Set<DispatchStatus>(['handled', 'ignored', 'duplicate', 'challenge']);

/**
 * Runs dispatches under the answer-timing policy and keeps track of the ones still running after
 * their answer was sent, so that `drain()` can wait for them (graceful shutdown, tests).
 *
 * Timeout policy: when a handler is still running at `timeoutMs`, the receiver answers 503 and
 * lets the handler finish in the background. Answering 200 would tell the platform the event was
 * handled; if the handler then failed, the event would be lost, breaking the rule that a handler
 * failure must not mark the event as seen. With 503 the platform retries (after 15 s, 5 min, ...);
 * with an idempotency store that retry finds the delivery `pending` (still running: 409, retried
 * again later), `done` (finished: 200, not run twice) or released (failed: run again); without
 * a store the retry runs the handler a second time. Slow handlers that do not need the
 * platform's retries should use `ackFirst` instead.
 */
export class Scheduler {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly options: TimingOptions) {}

  /**
   * `run` for a step that may answer synchronously: an outcome that is already there is reported
   * and answered at once (no timer, nothing left running); a Promise goes through `run`.
   */
  runNow<D>(steps: RunSteps<D>, delivery: D, ackFirst: boolean): Timed | Promise<Timed> {
    if (ackFirst) return this.run(async () => steps.run(delivery), steps.info(delivery), true);
    let result: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      result = steps.run(delivery);
    } catch (error) {
      const info = steps.info(delivery);
      this.options.logger.error('webhook dispatch failed', { ...info, error: error instanceof Error ? error.message : String(error) });
      this.options.onError?.(error, info);
      throw error;
    }
    if (isThenable(result)) {
      const task = result;
      return this.run(() => task, steps.info(delivery), false);
    }
    this.report(result, false);
    return { state: 'done', result };
  }

  /** `ackFirst`: answer before the handler runs (events only: a callback's answer is its handler's return value). */
  async run(dispatch: () => Promise<DispatchOutcome>, info: DeliveryInfo, ackFirst: boolean): Promise<Timed> {
    const { timeoutMs, logger } = this.options;
    let answered = false;
    const task = dispatch().then(
      (result) => {
        this.report(result, answered);
        return result;
      },
      (error: unknown) => {
        logger.error('webhook dispatch failed', { ...info, error: error instanceof Error ? error.message : String(error) });
        this.options.onError?.(error, info);
        throw error;
      },
    );
    this.track(task);
    if (ackFirst) {
      answered = true;
      task.catch(() => undefined);
      return { state: 'acked' };
    }
    if (timeoutMs === false || !(timeoutMs > 0)) return { state: 'done', result: await task };

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref?.();
    });
    try {
      const winner = await Promise.race([task, timeout]);
      if (winner === 'timeout') {
        answered = true;
        task.catch(() => undefined);
        logger.warn(`handler for ${info.eventType ?? 'delivery'} still running after ${timeoutMs} ms: answered 503, it keeps running`, { id: info.id });
        return { state: 'timeout', timeoutMs };
      }
      return { state: 'done', result: winner };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when every dispatch still running in the background has settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private track(task: Promise<unknown>): void {
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    void settled.then(() => this.running.delete(settled));
  }

  /** Tells the onDispatch hook; a hook that throws is logged, never turned into a failed answer. */
  notify(result: DispatchOutcome): void {
    try {
      this.options.onDispatch?.(result);
    } catch (err) {
      this.options.logger.error('onDispatch hook threw', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private report(result: DispatchOutcome, answeredEarly: boolean): void {
    this.notify(result);
    const onError = this.options.onError;
    if (!onError || SILENT_STATUSES.has(result.status)) return;
    // 'invalid' and 'pending' are answered to the platform (400, 409) unless the answer already went out.
    if (result.status !== 'failed' && !answeredEarly) return;
    const error = result.error ?? new LarkEventError(`${result.eventType ?? 'delivery'}: ${String(webhookAnswer(result).body.error ?? result.status)}`);
    try {
      onError(error, { kind: result.kind, eventType: result.eventType, id: result.id, status: result.status });
    } catch (err) {
      this.options.logger.error('onError hook threw', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
