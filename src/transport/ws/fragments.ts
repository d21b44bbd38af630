import type { Frame } from './frame.js';

export interface FragmentOptions {
  /** Incomplete messages are dropped this long after their first fragment (default 10 s). */
  ttlMs?: number | undefined;
  /** At most this many incomplete messages; the oldest go first (default 1 000). */
  maxMessages?: number | undefined;
  /** At most this many buffered bytes over all incomplete messages (default 64 MiB). */
  maxBytes?: number | undefined;
  /** At most this many fragments per message (default 1 024). */
  maxFragments?: number | undefined;
  now?: (() => number) | undefined;
}

export type FragmentResult =
  | { readonly status: 'complete'; readonly payload: Uint8Array; readonly frame: Frame }
  | { readonly status: 'partial' }
  | { readonly status: 'invalid'; readonly reason: string };

interface Pending {
  readonly sum: number;
  readonly parts: Array<Uint8Array | undefined>;
  received: number;
  bytes: number;
  readonly firstSeen: number;
}

function parseIndex(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Reassembles split data frames by `message_id` (long-connection.md §4), with bounded memory. */
export class FragmentAssembler {
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;
  private readonly ttl: number;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly maxFragments: number;
  private readonly now: () => number;
  /** Messages dropped incomplete (expired or evicted), for logs and tests. */
  expired = 0;

  constructor(options: FragmentOptions = {}) {
    this.ttl = options.ttlMs ?? 10_000;
    this.maxMessages = options.maxMessages ?? 1_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxFragments = options.maxFragments ?? 1_024;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.pending.size;
  }

  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Adds one data frame. A message without `sum` (or `sum` 1) is complete by itself. */
  add(frame: Frame, messageId: string | undefined, sumHeader: string | undefined, seqHeader: string | undefined): FragmentResult {
    const payload = frame.payload ?? new Uint8Array(0);
    const sum = sumHeader === undefined ? 1 : parseIndex(sumHeader);
    const seq = seqHeader === undefined ? 0 : parseIndex(seqHeader);
    if (sum === undefined || sum < 1) return { status: 'invalid', reason: `invalid sum ${JSON.stringify(sumHeader)}` };
    if (seq === undefined || seq >= sum) return { status: 'invalid', reason: `invalid seq ${JSON.stringify(seqHeader)} for sum ${sum}` };
    if (sum === 1) return { status: 'complete', payload, frame };
    if (sum > this.maxFragments) return { status: 'invalid', reason: `sum ${sum} exceeds ${this.maxFragments} fragments` };
    if (!messageId) return { status: 'invalid', reason: 'fragment without message_id' };

    this.sweep();
    let entry = this.pending.get(messageId);
    if (entry && entry.sum !== sum) {
      this.drop(messageId, entry);
      return { status: 'invalid', reason: `sum ${sum} differs from the first fragment's ${entry.sum}` };
    }
    if (!entry) {
      entry = { sum, parts: new Array<Uint8Array | undefined>(sum).fill(undefined), received: 0, bytes: 0, firstSeen: this.now() };
      this.pending.set(messageId, entry);
    }
    const previous = entry.parts[seq];
    if (previous) {
      entry.bytes -= previous.length;
      this.bytes -= previous.length;
    } else {
      entry.received++;
    }
    entry.parts[seq] = payload;
    entry.bytes += payload.length;
    this.bytes += payload.length;

    if (entry.received === sum) {
      this.drop(messageId, entry);
      const out = new Uint8Array(entry.bytes);
      let offset = 0;
      for (const part of entry.parts) {
        if (!part) continue;
        out.set(part, offset);
        offset += part.length;
      }
      return { status: 'complete', payload: out, frame };
    }
    this.enforceBounds(messageId);
    return this.pending.has(messageId) ? { status: 'partial' } : { status: 'invalid', reason: 'message evicted: fragment buffer full' };
  }

  /** Drops incomplete messages older than the TTL; returns how many. */
  sweep(): number {
    const limit = this.now() - this.ttl;
    let count = 0;
    for (const [id, entry] of this.pending) {
      // Map iteration follows insertion order, so the first young entry ends the scan.
      if (entry.firstSeen > limit) break;
      this.drop(id, entry);
      this.expired++;
      count++;
    }
    return count;
  }

  clear(): void {
    this.pending.clear();
    this.bytes = 0;
  }

  private enforceBounds(keep: string): void {
    const within = () => this.pending.size <= this.maxMessages && this.bytes <= this.maxBytes;
    for (const [id, entry] of this.pending) {
      if (within()) return;
      if (id === keep) continue;
      this.drop(id, entry);
      this.expired++;
    }
    const entry = this.pending.get(keep);
    if (!within() && entry) {
      this.drop(keep, entry);
      this.expired++;
    }
  }

  private drop(id: string, entry: Pending): void {
    if (this.pending.delete(id)) this.bytes -= entry.bytes;
  }
}
