import { OldestFirst } from '../util/oldest-first.js';

/**
 * Where the dispatcher remembers which deliveries it has handled, so that the platform's
 * at-least-once retries (webhook.md §5) and long-connection redeliveries run a handler once.
 */
export interface IdempotencyStore {
  /**
   * Claims a delivery key. `claimed`: first sight, the caller runs the handler and then calls
   * `complete` or `release`. `done`: already handled. `pending`: another worker holds it now.
   * A claim that cannot be answered (store unreachable) throws: the dispatcher then answers
   * `unavailable` without running the handler (fail closed), so the platform retries.
   */
  claim(key: string): Promise<'claimed' | 'done' | 'pending'>;
  /** The handler succeeded: remember the key for the store's TTL. */
  complete(key: string): Promise<void>;
  /** The handler failed: forget the claim so that the platform's retry runs it again. */
  release(key: string): Promise<void>;
}

/** Retries come after 15 s, 5 min, 1 h and 6 h (webhook.md §5): a day covers them with margin. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a claim may stay pending before a crashed worker's claim is taken over. */
export const DEFAULT_PENDING_TTL_MS = 60 * 1000;

export interface MemoryStoreOptions {
  /** How long a completed key is remembered (default 24 h). */
  ttlMs?: number | undefined;
  /** How long an unfinished claim blocks others (default 60 s). */
  pendingTtlMs?: number | undefined;
  /**
   * At most this many keys, pending and done together; the oldest are forgotten first (default
   * 100 000). It decides how long an id is really remembered: 100 000 / events per second. To
   * cover the platform's 6-hour retry horizon (21 600 s) that is about 4.6 events/s; above that
   * rate a late retry may run its handler again — raise it (about 300 bytes per key) or use a
   * shared store.
   */
  maxEntries?: number | undefined;
  now?: (() => number) | undefined;
}

export const DEFAULT_MEMORY_STORE_MAX_ENTRIES = 100_000;

/** A bounded in-process store: the default, right for a single instance. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { state: 'pending' | 'done'; expires: number }>();
  private readonly oldest = new OldestFirst(this.entries);
  private readonly ttl: number;
  private readonly pendingTtl: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.ttl = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.pendingTtl = options.pendingTtlMs ?? DEFAULT_PENDING_TTL_MS;
    this.max = options.maxEntries ?? DEFAULT_MEMORY_STORE_MAX_ENTRIES;
    for (const [name, value] of [['ttlMs', this.ttl], ['pendingTtlMs', this.pendingTtl], ['maxEntries', this.max]] as const) {
      if (!(typeof value === 'number' && value > 0)) throw new RangeError(`MemoryIdempotencyStore: ${name} must be a positive number, got ${String(value)}`);
    }
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async claim(key: string): Promise<'claimed' | 'done' | 'pending'> {
    return this.claimNow(key);
  }

  async complete(key: string): Promise<void> {
    this.completeNow(key);
  }

  async release(key: string): Promise<void> {
    this.releaseNow(key);
  }

  /** `claim` without the Promise: the dispatcher's synchronous path uses these (see syncStoreOf). */
  claimNow(key: string): 'claimed' | 'done' | 'pending' {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.expires > now) return entry.state;
    this.set(key, 'pending', now + this.pendingTtl);
    return 'claimed';
  }

  completeNow(key: string): void {
    this.set(key, 'done', this.now() + this.ttl);
  }

  releaseNow(key: string): void {
    this.entries.delete(key);
  }

  private set(key: string, state: 'pending' | 'done', expires: number): void {
    // Re-inserting keeps the Map in insertion order: the oldest key is evicted first.
    this.entries.delete(key);
    this.entries.set(key, { state, expires });
    while (this.entries.size > this.max && this.oldest.evict() !== undefined);
  }
}

/**
 * The store itself when it is a MemoryIdempotencyStore whose async methods are its own (not
 * overridden), so that calling the synchronous ones is the same as awaiting the async ones.
 */
export function syncStoreOf(store: IdempotencyStore | undefined): MemoryIdempotencyStore | undefined {
  const proto = MemoryIdempotencyStore.prototype;
  return store instanceof MemoryIdempotencyStore && store.claim === proto.claim && store.complete === proto.complete && store.release === proto.release ? store : undefined;
}
