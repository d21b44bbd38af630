import { LarkEventError } from '../runtime/errors.js';

/**
 * The platform's own retry schedule (webhook.md §5: retries after 15 s, 5 min, 1 h and 6 h), used
 * by default between a failed job's attempts: a handler failure waits as long as it would have
 * without the inbox, and a job still failing after the last step is dead-lettered.
 */
export const PLATFORM_RETRY_LADDER_MS: readonly number[] = [15_000, 300_000, 3_600_000, 21_600_000];

/** The BullMQ backoff type name the inbox's jobs carry. */
export const LADDER_BACKOFF = 'lark-ladder';

export function checkLadder(ladder: readonly number[]): readonly number[] {
  if (!Array.isArray(ladder) || !ladder.every((d) => typeof d === 'number' && Number.isFinite(d) && d >= 0)) {
    throw new LarkEventError('retryLadderMs must be an array of non-negative numbers of milliseconds');
  }
  return ladder;
}

/** Attempts a job gets: the first one plus one per ladder step. */
export const attemptsFor = (ladder: readonly number[]): number => ladder.length + 1;

/** The delay before retry `attemptsMade` (1-based); past the ladder's end, its last step. */
export function ladderDelay(ladder: readonly number[], attemptsMade: number): number {
  if (ladder.length === 0) return 0;
  return ladder[Math.min(Math.max(attemptsMade, 1), ladder.length) - 1] ?? 0;
}

/** Parses `15s,5m,1h,6h` or `50,100` (milliseconds) for the CLI. */
export function parseLadder(text: string): number[] {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  return text.split(',').map((part) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(part);
    if (!m) throw new LarkEventError(`retry ladder step ${JSON.stringify(part)} is not a duration such as 500ms, 15s, 5m or 1h`);
    return Math.round(Number(m[1]) * (units[m[2] ?? 'ms'] ?? 1));
  });
}
