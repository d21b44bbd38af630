import type { Redis } from 'ioredis';
import { LarkEventError } from '../runtime/errors.js';

/** The queue name the CLI and the defaults use. */
export const DEFAULT_QUEUE_NAME = 'lark-events';
/**
 * Completed jobs are kept this long, so that a redelivery within the platform's retry horizon
 * (15 s + 5 min + 1 h + 6 h after the first attempt, webhook.md §5) finds its job and adds none.
 */
export const DEFAULT_DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Dead-lettered (failed) jobs are kept a week for inspection and manual retry. */
export const DEFAULT_DEAD_LETTER_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** An enqueue Redis has not acknowledged by then fails (503 / code 500): under the platform's 3 s deadline. */
export const DEFAULT_ENQUEUE_TIMEOUT_MS = 2_000;

/** Where the queue lives: shared by receivers (`createInbox`) and workers (`createInboxWorker`). */
export interface QueueLocation {
  /** A `redis://` / `rediss://` URL, or an ioredis client the caller owns (and closes). */
  connection: string | Redis;
  /** BullMQ queue name. Default `lark-events`. */
  queueName?: string;
  /** BullMQ key prefix. Default `bull`. */
  prefix?: string;
}

export function checkQueueName(name: string): string {
  if (!name || name.includes(':')) throw new LarkEventError(`queue name ${JSON.stringify(name)} must be non-empty and contain no ":"`);
  return name;
}

export function checkPositive(name: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new LarkEventError(`${name} must be a positive number`);
  return value;
}
