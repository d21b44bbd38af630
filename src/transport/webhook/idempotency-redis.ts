import { randomBytes } from 'node:crypto';
import type { IdempotencyStore } from '../../runtime/idempotency.js';
import { DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_PENDING_TTL_MS } from '../../runtime/idempotency.js';

/**
 * The few ioredis commands the store uses. An ioredis `Redis` or `Cluster` instance fits; taking
 * the client instead of importing ioredis keeps it an optional peer dependency.
 */
export interface RedisClientLike {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<'OK' | null>;
  get(key: string): Promise<string | null>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** Prepended to every key. Default `lark-events:idem:`. */
  prefix?: string | undefined;
  /** How long a handled delivery is remembered: covers the platform's 6-hour retry horizon. Default 24 h. */
  ttlMs?: number | undefined;
  /** How long an unfinished claim blocks other instances, so a crashed worker's claim expires. Default 60 s. */
  pendingTtlMs?: number | undefined;
}

const DONE = 'done';

// Deletes the key only while it still holds this worker's claim: a claim that expired and was
// taken over by another instance is not released from under it.
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * An IdempotencyStore shared by every instance behind a load balancer: `SET key <claim> NX PX`
 * claims a delivery, `SET key done PX ttl` completes it, a compare-and-delete script releases it.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly pendingTtl: number;
  /** The claim value this instance wrote per key, for release. */
  private readonly claims = new Map<string, string>();

  constructor(private readonly client: RedisClientLike, options: RedisStoreOptions = {}) {
    this.prefix = options.prefix ?? 'lark-events:idem:';
    this.ttl = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.pendingTtl = options.pendingTtlMs ?? DEFAULT_PENDING_TTL_MS;
  }

  async claim(key: string): Promise<'claimed' | 'done' | 'pending'> {
    const k = this.prefix + key;
    for (let attempt = 0; attempt < 3; attempt++) {
      const claim = `pending:${randomBytes(8).toString('hex')}`;
      if ((await this.client.set(k, claim, 'PX', this.pendingTtl, 'NX')) === 'OK') {
        this.claims.set(key, claim);
        return 'claimed';
      }
      const value = await this.client.get(k);
      if (value === DONE) return 'done';
      if (value !== null) return 'pending';
      // The key expired between SET and GET: try to claim again.
    }
    return 'pending';
  }

  async complete(key: string): Promise<void> {
    this.claims.delete(key);
    // Unconditional: even if the claim outlived pendingTtl, the handler did succeed.
    await this.client.set(this.prefix + key, DONE, 'PX', this.ttl);
  }

  async release(key: string): Promise<void> {
    const claim = this.claims.get(key);
    this.claims.delete(key);
    if (claim !== undefined) await this.client.eval(RELEASE, 1, this.prefix + key, claim);
  }
}
