import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EventDelivery } from '../runtime/delivery.js';
import type { Transport } from '../runtime/handlers.js';
import type { Logger } from '../runtime/logger.js';
import { defaultLogger } from '../runtime/logger.js';
import { connectRedis, createRedis, redactRedisUrl } from './connection.js';
import { EnqueueError } from './errors.js';
import type { InboxJobData } from './job.js';
import { jobData, jobIdOf } from './job.js';
import { attemptsFor, checkLadder, LADDER_BACKOFF, PLATFORM_RETRY_LADDER_MS } from './ladder.js';
import type { QueueLocation } from './options.js';
import { checkPositive, checkQueueName, DEFAULT_DEAD_LETTER_RETENTION_MS, DEFAULT_DEDUPE_WINDOW_MS, DEFAULT_ENQUEUE_TIMEOUT_MS, DEFAULT_QUEUE_NAME } from './options.js';

export interface InboxOptions extends QueueLocation {
  /** Delays between a failing job's attempts; after the last, the job is dead-lettered. Default the platform's 15 s, 5 min, 1 h, 6 h. */
  retryLadderMs?: readonly number[];
  /** How long completed jobs (and so their ids) are kept: redeliveries within it add no job. Default 24 h. */
  dedupeWindowMs?: number;
  /** How long dead-lettered jobs are kept. Default 7 days. */
  deadLetterRetentionMs?: number;
  /** An enqueue not acknowledged by Redis within this fails, and the receiver answers 503 / code 500. Default 2 000 ms. */
  enqueueTimeoutMs?: number;
  logger?: Logger;
}

/** The receiving side of the inbox: puts verified deliveries on a BullMQ queue. */
export interface Inbox {
  readonly queue: Queue<InboxJobData>;
  readonly queueName: string;
  /** Resolves once Redis has acknowledged the job (or already had it); rejects with EnqueueError otherwise. */
  enqueue(delivery: EventDelivery, transport: Transport): Promise<{ jobId: string | undefined }>;
  close(): Promise<void>;
}

/**
 * Opens the queue receivers enqueue into. Given a URL, it connects and PINGs first, so a bad URL
 * or an unreachable Redis fails here (InboxConnectionError) rather than at the first delivery.
 */
export async function createInbox(options: InboxOptions): Promise<Inbox> {
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  const ladder = checkLadder(options.retryLadderMs ?? PLATFORM_RETRY_LADDER_MS);
  const dedupeS = Math.ceil(checkPositive('dedupeWindowMs', options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS) / 1000);
  const deadS = Math.ceil(checkPositive('deadLetterRetentionMs', options.deadLetterRetentionMs ?? DEFAULT_DEAD_LETTER_RETENTION_MS) / 1000);
  const timeoutMs = checkPositive('enqueueTimeoutMs', options.enqueueTimeoutMs ?? DEFAULT_ENQUEUE_TIMEOUT_MS);
  const logger = options.logger ?? defaultLogger;

  let client: Redis;
  let owned = false;
  if (typeof options.connection === 'string') {
    client = createRedis(options.connection, { commandTimeoutMs: timeoutMs });
    owned = true;
    await connectRedis(client, options.connection);
  } else {
    client = options.connection;
  }
  const where = typeof options.connection === 'string' ? redactRedisUrl(options.connection) : 'the given Redis client';
  // Without an error listener ioredis prints every failed reconnect; enqueue failures are reported by enqueue.
  client.on('error', (err: Error) => logger.debug(`inbox: Redis at ${where}: ${err.message}`));

  const queue = new Queue<InboxJobData>(queueName, {
    connection: client,
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    defaultJobOptions: {
      attempts: attemptsFor(ladder),
      backoff: { type: LADDER_BACKOFF },
      // By age, not count: the ids must outlive the platform's retry horizon whatever the traffic.
      removeOnComplete: { age: dedupeS },
      removeOnFail: { age: deadS },
    },
  });
  queue.on('error', (err: Error) => logger.debug(`inbox queue ${queueName}: ${err.message}`));

  async function enqueue(delivery: EventDelivery, transport: Transport): Promise<{ jobId: string | undefined }> {
    const jobId = jobIdOf(delivery);
    if (jobId === undefined) logger.warn(`inbox: ${delivery.eventType} delivery has no event id: queued without de-duplication`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const job = await Promise.race([
        queue.add(delivery.eventType, jobData(delivery, transport, Date.now()), jobId !== undefined ? { jobId } : {}),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not acknowledge within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { jobId: job.id };
    } catch (err) {
      // A timed-out add may still land later: the job id makes the platform's retry a no-op then.
      const reason = err instanceof Error ? err.message : String(err);
      logger.error(`inbox: cannot enqueue ${delivery.eventType}`, { id: delivery.id, queue: queueName, redis: where, error: reason });
      throw new EnqueueError(`cannot enqueue into ${queueName} at ${where}: ${reason}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await queue.close().catch(() => undefined);
      if (owned) await client.quit().catch(() => client.disconnect());
    })());

  return { queue, queueName, enqueue, close };
}
