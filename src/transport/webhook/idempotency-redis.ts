import { randomBytes } from 'node:crypto';
import { IdempotencyUnavailableError } from '../../runtime/errors.js';
import type { IdempotencyStore } from '../../runtime/idempotency.js';
import { DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_PENDING_TTL_MS } from '../../runtime/idempotency.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import { OldestFirst } from '../../util/oldest-first.js';

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
  /**
   * A Redis command not answered within this many ms counts as a failure (default 1 000, well
   * inside the platform's 3 s): a claim is answered unavailable, a "done" write is kept locally.
   */
  operationTimeoutMs?: number | undefined;
  /**
   * Claims this instance holds at once, from the claim until its complete or release — that is,
   * handlers running under this store (default 64). A claim beyond it is answered unavailable at
   * once (HTTP 503 / code 500), so that however many deliveries arrive when Redis comes back,
   * at most this many handlers run.
   */
  maxClaimsInFlight?: number | undefined;
  /**
   * Handlers that succeeded while Redis could not take their "done" write: remembered here (so
   * their redeliveries are answered done) and written when Redis answers again. Default 10 000;
   * past it the oldest is forgotten, and its event may run again.
   */
  maxUnsyncedCompletes?: number | undefined;
  /** While Redis is unreachable it is probed, first after this many ms, doubling (default 100). */
  retryBaseMs?: number | undefined;
  /** The longest wait between probes (default 2 000). */
  retryMaxMs?: number | undefined;
  /** Outage and recovery messages (default: warnings to stderr). */
  logger?: Logger | undefined;
}

/** What the store is doing now, for health checks and tests. */
export interface RedisStoreStats {
  /** false from a failed command until a probe succeeds: claims are answered unavailable meanwhile. */
  readonly available: boolean;
  readonly claimsInFlight: number;
  /** Succeeded handlers whose "done" write is not in Redis yet. */
  readonly unsyncedCompletes: number;
  /** Claims whose write timed out or whose release failed, to be deleted when Redis is back. */
  readonly strayClaims: number;
}

const DONE = 'done';
const FLUSH_CONCURRENCY = 16;

// Deletes the key only while it still holds this worker's claim: a claim that expired and was
// taken over by another instance is not released from under it.
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

function positive(name: string, value: number): number {
  if (!(typeof value === 'number' && value > 0)) throw new RangeError(`RedisIdempotencyStore: ${name} must be a positive number, got ${String(value)}`);
  return value;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * An IdempotencyStore shared by every instance behind a load balancer: `SET key <claim> NX PX`
 * claims a delivery, `SET key done PX ttl` completes it, a compare-and-delete script releases it.
 *
 * Around Redis faults: every command has a deadline; after a failure claims fail fast (the
 * receiver answers 503 / code 500 and the platform retries) while a backed-off probe waits for
 * Redis; "done" writes that failed are kept locally and flushed when the probe succeeds; claims
 * in flight are capped. `complete` and `release` never throw.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly pendingTtl: number;
  private readonly opTimeout: number;
  private readonly maxInFlight: number;
  private readonly maxUnsynced: number;
  private readonly retryBase: number;
  private readonly retryMax: number;
  private readonly logger: Logger;
  /** The claim value this instance wrote per key, for release. */
  private readonly claims = new Map<string, string>();
  /** key → when its handler succeeded; insertion order is age order. */
  private readonly unsynced = new Map<string, number>();
  /** key → claim value (and when it was written) that may be in Redis and must be released; bounded like `unsynced`. */
  private readonly strays = new Map<string, { claim: string; at: number }>();
  private readonly unsyncedOrder = new OldestFirst(this.unsynced);
  private readonly straysOrder = new OldestFirst(this.strays);
  private inFlight = 0;
  private up = true;
  private delay: number;
  private timer: NodeJS.Timeout | undefined;
  private recovering: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly client: RedisClientLike, options: RedisStoreOptions = {}) {
    this.prefix = options.prefix ?? 'lark-events:idem:';
    this.ttl = positive('ttlMs', options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS);
    this.pendingTtl = positive('pendingTtlMs', options.pendingTtlMs ?? DEFAULT_PENDING_TTL_MS);
    this.opTimeout = positive('operationTimeoutMs', options.operationTimeoutMs ?? 1_000);
    this.maxInFlight = positive('maxClaimsInFlight', options.maxClaimsInFlight ?? 64);
    this.maxUnsynced = positive('maxUnsyncedCompletes', options.maxUnsyncedCompletes ?? 10_000);
    this.retryBase = positive('retryBaseMs', options.retryBaseMs ?? 100);
    this.retryMax = Math.max(this.retryBase, positive('retryMaxMs', options.retryMaxMs ?? 2_000));
    this.delay = this.retryBase;
    this.logger = options.logger ?? defaultLogger;
  }

  get stats(): RedisStoreStats {
    return { available: this.up, claimsInFlight: this.inFlight, unsyncedCompletes: this.unsynced.size, strayClaims: this.strays.size };
  }

  async claim(key: string): Promise<'claimed' | 'done' | 'pending'> {
    // Succeeded here while Redis could not take the write: a redelivery must not run it again.
    if (this.unsynced.has(key)) return 'done';
    if (!this.up) throw new IdempotencyUnavailableError('Redis idempotency store unreachable: retry later');
    if (this.inFlight >= this.maxInFlight) throw new IdempotencyUnavailableError(`Redis idempotency store: ${this.maxInFlight} claims in flight (maxClaimsInFlight): retry later`);
    this.inFlight++;
    let held = false;
    try {
      const k = this.prefix + key;
      const stray = this.strays.get(key);
      if (stray) {
        await this.command(() => this.client.eval(RELEASE, 1, k, stray.claim));
        this.strays.delete(key);
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const claim = `pending:${randomBytes(8).toString('hex')}`;
        let set: 'OK' | null;
        try {
          set = await this.command(() => this.client.set(k, claim, 'PX', this.pendingTtl, 'NX'));
        } catch (err) {
          // The SET may still reach Redis later (a frozen server runs what it had buffered): delete it then.
          this.remember(this.strays, this.straysOrder, key, { claim, at: Date.now() }, this.maxUnsynced);
          throw err;
        }
        if (set === 'OK') {
          // Our earlier claim on this key expired under a slow handler: one slot per key, not two.
          if (this.claims.has(key)) this.inFlight--;
          this.claims.set(key, claim);
          held = true;
          return 'claimed';
        }
        const value = await this.command(() => this.client.get(k));
        if (value === DONE) return 'done';
        if (value !== null) return 'pending';
        // The key expired between SET and GET: try to claim again.
      }
      return 'pending';
    } finally {
      if (!held) this.inFlight--;
    }
  }

  async complete(key: string): Promise<void> {
    const held = this.claims.delete(key);
    try {
      // Unconditional: even if the claim outlived pendingTtl, the handler did succeed.
      if (this.up) await this.command(() => this.client.set(this.prefix + key, DONE, 'PX', this.ttl));
      else this.keepUnsynced(key);
    } catch {
      this.keepUnsynced(key);
    } finally {
      if (held) this.inFlight--;
    }
  }

  async release(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (claim === undefined) return;
    this.claims.delete(key);
    try {
      if (this.up) await this.command(() => this.client.eval(RELEASE, 1, this.prefix + key, claim));
      else this.remember(this.strays, this.straysOrder, key, { claim, at: Date.now() }, this.maxUnsynced);
    } catch {
      // Left in Redis it would block the platform's retry (409) until pendingTtl: delete it once Redis is back.
      this.remember(this.strays, this.straysOrder, key, { claim, at: Date.now() }, this.maxUnsynced);
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Writes what is outstanding (done writes, stray claims) now; resolves true when nothing is left.
   * Runs by itself once Redis answers again; call it before a planned shutdown.
   */
  async flush(): Promise<boolean> {
    if (!this.up) {
      await this.recover();
      return this.up && this.unsynced.size === 0 && this.strays.size === 0;
    }
    await this.writeOutstanding();
    return this.up && this.unsynced.size === 0 && this.strays.size === 0;
  }

  /** Stops the probe timer (outstanding writes are dropped). The client is the caller's to close. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One command under the deadline; a failure marks Redis down and starts the probe. */
  private async command<T>(run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new IdempotencyUnavailableError(`Redis idempotency store: no answer within ${this.opTimeout} ms (operationTimeoutMs)`)), this.opTimeout);
      timer.unref?.();
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (err) {
      this.down(err);
      throw err instanceof IdempotencyUnavailableError ? err : new IdempotencyUnavailableError(`Redis idempotency store: ${message(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  private down(error: unknown): void {
    if (this.up) {
      this.up = false;
      this.logger.warn('Redis idempotency store unreachable: deliveries are answered 503 / code 500 (the platform retries) until it answers again', { error: message(error) });
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.timer || this.recovering) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.recover();
    }, this.delay);
    this.timer.unref?.();
    this.delay = Math.min(this.delay * 2, this.retryMax);
  }

  /** Probes Redis; once it answers, claims go through again and the outstanding writes are flushed. */
  private recover(): Promise<void> {
    // While this runs, failures do not schedule (see schedule); when it ends still down, it does.
    this.recovering ??= this.probe().finally(() => {
      this.recovering = undefined;
      if (!this.up) this.schedule();
    });
    return this.recovering;
  }

  private async probe(): Promise<void> {
    try {
      await this.command(() => this.client.get(`${this.prefix}probe`));
    } catch {
      return;
    }
    if (!this.up) {
      this.up = true;
      this.delay = this.retryBase;
      this.logger.warn('Redis idempotency store answers again', { unsyncedCompletes: this.unsynced.size, strayClaims: this.strays.size });
    }
    await this.writeOutstanding();
  }

  private async writeOutstanding(): Promise<void> {
    while (this.up && (this.unsynced.size > 0 || this.strays.size > 0)) {
      const now = Date.now();
      const batch: Array<() => Promise<unknown>> = [];
      for (const [key, at] of this.unsynced) {
        if (batch.length >= FLUSH_CONCURRENCY) break;
        const left = this.ttl - (now - at);
        if (left <= 0) {
          this.unsynced.delete(key);
          continue;
        }
        batch.push(async () => {
          await this.command(() => this.client.set(this.prefix + key, DONE, 'PX', left));
          if (this.unsynced.get(key) === at) this.unsynced.delete(key);
        });
      }
      for (const [key, stray] of this.strays) {
        if (batch.length >= FLUSH_CONCURRENCY) break;
        if (now - stray.at > this.pendingTtl) {
          this.strays.delete(key); // expired in Redis by itself
          continue;
        }
        batch.push(async () => {
          await this.command(() => this.client.eval(RELEASE, 1, this.prefix + key, stray.claim));
          if (this.strays.get(key) === stray) this.strays.delete(key);
        });
      }
      if (batch.length === 0) continue;
      const results = await Promise.allSettled(batch.map((write) => write()));
      if (results.some((r) => r.status === 'rejected')) return; // down again: the probe takes over
    }
  }

  private keepUnsynced(key: string): void {
    const dropped = this.remember(this.unsynced, this.unsyncedOrder, key, Date.now(), this.maxUnsynced);
    if (dropped !== undefined) this.logger.warn('Redis idempotency store: too many unsynced completes (maxUnsyncedCompletes), the oldest is forgotten and may run again', { key: dropped });
    this.schedule();
  }

  /** Sets key (as the newest), dropping the oldest past `max`; returns the dropped key. */
  private remember<V>(map: Map<string, V>, order: OldestFirst<string>, key: string, value: V, max: number): string | undefined {
    map.delete(key);
    map.set(key, value);
    return map.size > max ? order.evict() : undefined;
  }
}
