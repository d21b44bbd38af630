import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { InboxConnectionError } from './errors.js';

/** How long `connectInbox` waits for Redis to answer a PING before giving up. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** The URL with any password replaced by `***`, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not a URL at all: keep what precedes a possible "user:pass@".
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** Checks the URL is `redis://` or `rediss://` and returns it parsed; InboxConnectionError otherwise. */
export function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InboxConnectionError(`${redactRedisUrl(url)} is not a URL (expected redis://host:port[/db])`, redactRedisUrl(url));
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InboxConnectionError(`${redactRedisUrl(url)}: the inbox URL must start with redis:// or rediss://`, redactRedisUrl(url));
  }
  if (!parsed.hostname) throw new InboxConnectionError(`${redactRedisUrl(url)}: the inbox URL names no host`, redactRedisUrl(url));
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new InboxConnectionError(`${redactRedisUrl(url)}: the database (the path) must be a number`, redactRedisUrl(url));
  return parsed;
}

export interface InboxRedisOptions {
  /** Fail a command that waits longer than this (receivers: so an enqueue never outlives the platform's deadline). */
  commandTimeoutMs?: number;
  /** Workers hold a blocking connection and must wait for Redis however long it is away (BullMQ requires `null`). */
  blocking?: boolean;
}

/** An ioredis client for a redis:// URL, configured for a receiver (fail fast) or a worker (wait). */
export function createRedis(url: string, options: InboxRedisOptions = {}): Redis {
  parseRedisUrl(url);
  const redisOptions: RedisOptions = options.blocking
    ? { maxRetriesPerRequest: null, lazyConnect: true }
    : {
        // A receiver must answer within the platform's 3 s: with Redis away, an enqueue fails at once
        // (503 / code 500, the platform retries) instead of waiting in ioredis' offline queue.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: true,
        ...(options.commandTimeoutMs !== undefined ? { commandTimeout: options.commandTimeoutMs } : {}),
      };
  return new Redis(url, redisOptions);
}

/** Connects and PINGs, so that a bad URL or an unreachable Redis is reported at start, naming the URL. */
export async function connectRedis(client: Redis, url: string, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
  const shown = redactRedisUrl(url);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  // Reconnect attempts before the first success would only repeat the same error.
  const firstError = new Promise<never>((_, reject) => client.once('error', reject));
  try {
    if (client.status === 'wait') await Promise.race([client.connect(), firstError, timeout]);
    await Promise.race([client.ping(), timeout]);
  } catch (err) {
    client.disconnect();
    const reason = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
    throw new InboxConnectionError(`cannot reach Redis at ${shown}: ${reason}`, shown, { cause: err });
  } finally {
    clearTimeout(timer);
    firstError.catch(() => undefined);
  }
}

/** Checks that Redis at `url` answers (InboxConnectionError naming the URL, without its password, otherwise). */
export async function pingRedis(url: string, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
  const client = createRedis(url, {});
  client.on('error', () => undefined);
  await connectRedis(client, url, timeoutMs);
  await client.quit().catch(() => client.disconnect());
}
