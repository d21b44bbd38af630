import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../runtime/logger.js';
import { defaultLogger } from '../runtime/logger.js';
import { connectRedis, createRedis, redactRedisUrl } from './connection.js';
import type { WorkerDispatcher } from './dispatcher-adapter.js';
import { runInboxJob } from './dispatcher-adapter.js';
import type { InboxJobData, InboxJobInfo } from './job.js';
import { attemptsFor, checkLadder, LADDER_BACKOFF, ladderDelay, PLATFORM_RETRY_LADDER_MS } from './ladder.js';
import type { QueueLocation } from './options.js';
import { checkPositive, checkQueueName, DEFAULT_QUEUE_NAME } from './options.js';

/** Handlers run at once per worker process by default. */
export const DEFAULT_WORKER_CONCURRENCY = 4;
/**
 * A running job's lock lasts this long and is renewed at half of it; a killed worker's jobs are
 * taken over once their lock has expired and the next stalled check (every `stalledIntervalMs`)
 * has seen it: up to lockDuration + stalledInterval after the crash.
 */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const DEFAULT_STALLED_INTERVAL_MS = 15_000;
/** A job whose worker died this many times is dead-lettered (a handler that crashes its process). */
export const DEFAULT_MAX_STALLED_COUNT = 3;

export interface InboxWorkerOptions extends QueueLocation {
  /** The same typed dispatcher a receiver would use: its handlers run here. */
  dispatcher: WorkerDispatcher;
  /** Jobs this worker runs at once. Default 4. */
  concurrency?: number;
  /** Delays between a failing job's attempts (must match the receivers' `retryLadderMs`). Default 15 s, 5 min, 1 h, 6 h. */
  retryLadderMs?: readonly number[];
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** A job completed: recorded by BullMQ after its handler succeeded. */
  onCompleted?: (job: InboxJobInfo, status: string) => void;
  /** An attempt failed; `final` when the job is now dead-lettered (BullMQ's failed state). */
  onFailed?: (job: InboxJobInfo | undefined, error: Error, final: boolean) => void;
  logger?: Logger;
}

export interface InboxWorker {
  readonly worker: Worker<InboxJobData>;
  /** Stops taking jobs, waits for the running ones, closes the connection it opened. */
  close(): Promise<void>;
}

const infoOf = (job: Job<InboxJobData>): InboxJobInfo => ({
  jobId: job.id,
  kind: job.data.kind,
  eventType: job.data.eventType,
  id: job.data.id,
  transport: job.data.transport,
  attempts: job.attemptsStarted,
});

/**
 * Runs queued deliveries through the dispatcher. A job completes only after its handler succeeded;
 * a handler that throws is retried along the ladder, then dead-lettered. Delivery is at least
 * once: a worker killed mid-handler leaves its job to be run again by another worker.
 */
export async function createInboxWorker(options: InboxWorkerOptions): Promise<InboxWorker> {
  const { dispatcher } = options;
  if (!dispatcher || typeof dispatcher.dispatch !== 'function') throw new TypeError('createInboxWorker: a dispatcher with a dispatch() method is required');
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  const ladder = checkLadder(options.retryLadderMs ?? PLATFORM_RETRY_LADDER_MS);
  const concurrency = checkPositive('concurrency', options.concurrency ?? DEFAULT_WORKER_CONCURRENCY);
  const lockDuration = checkPositive('lockDurationMs', options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS);
  const stalledInterval = checkPositive('stalledIntervalMs', options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS);
  const maxStalledCount = checkPositive('maxStalledCount', options.maxStalledCount ?? DEFAULT_MAX_STALLED_COUNT);
  const logger = options.logger ?? defaultLogger;

  let client: Redis;
  let owned = false;
  if (typeof options.connection === 'string') {
    client = createRedis(options.connection, { blocking: true });
    owned = true;
    await connectRedis(client, options.connection);
  } else {
    client = options.connection;
  }
  const where = typeof options.connection === 'string' ? redactRedisUrl(options.connection) : 'the given Redis client';
  // BullMQ reports connection trouble through the worker's 'error' event; without a listener ioredis prints every failed reconnect.
  if (owned) client.on('error', (err: Error) => logger.debug(`inbox worker: Redis at ${where}: ${err.message}`));

  const worker = new Worker<InboxJobData>(
    queueName,
    async (job) => {
      const outcome = await runInboxJob(dispatcher, job.data);
      if (outcome.kind === 'done') return outcome.status;
      if (outcome.kind === 'dead') throw new UnrecoverableError(outcome.error.message);
      throw outcome.error;
    },
    {
      connection: client,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount,
      settings: { backoffStrategy: (attemptsMade: number, type?: string) => (type === LADDER_BACKOFF ? ladderDelay(ladder, attemptsMade) : 0) },
    },
  );
  const maxAttempts = attemptsFor(ladder);
  worker.on('completed', (job, status) => options.onCompleted?.(infoOf(job), String(status)));
  worker.on('failed', (job, error) => {
    const final = !job || error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? maxAttempts) || job.finishedOn !== undefined;
    if (final) logger.error(`inbox: ${job?.data.eventType ?? 'job'} dead-lettered`, { id: job?.data.id, job: job?.id, error: error.message });
    else logger.warn(`inbox: ${job?.data.eventType} attempt ${job?.attemptsMade} failed, retrying`, { id: job?.data.id, error: error.message });
    options.onFailed?.(job ? infoOf(job) : undefined, error, final);
  });
  worker.on('error', (err) => logger.warn(`inbox worker (${queueName} at ${where}): ${err.message}`));
  await worker.waitUntilReady();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await worker.close();
      if (owned) await client.quit().catch(() => client.disconnect());
    })());
  return { worker, close };
}
