import { isThenable } from '../../util/thenable.js';
/** The platform's answer deadline on the long connection (long-connection.md §5 and §7). */
export const DEFAULT_ANSWER_DEADLINE_MS = 3_000;
/** Deliveries that may wait for a handler slot, by default. */
export const DEFAULT_MAX_QUEUE = 10_000;
/** Late answers kept for a redelivery: the platform's first two retries come 15 s and 5 min after a failure (§5). */
const LATE_ANSWER_TTL_MS = 6 * 60 * 1000;
const LATE_ANSWERS_MAX = 10_000;

export interface IntakeOptions<J, A> {
  /** Deliveries running at once. */
  readonly maxConcurrency: number;
  /** Deliveries waiting for a slot; a delivery beyond it gets `refusal` at once. */
  readonly maxQueue: number;
  /** The platform's answer deadline: answers sent later than half of it are remembered for the redelivery. */
  readonly deadlineMs: number;
  /** Also refuse a delivery whose answer is estimated to miss the deadline (see `IntakeQueue`). */
  readonly refuseLate: boolean;
  /** Runs a delivery: its answer, or a Promise of it when the run is asynchronous (never rejects). */
  run(job: J): A | Promise<A>;
  /** Sends an answer for one received frame; false when it could not be sent (the connection is gone). */
  send(job: J, answer: A, receivedAt: number): boolean;
  /** The "retry later" answer for refused deliveries. */
  readonly refusal: A;
  /** Answers that say "handled": only those are sent to coalesced copies from memory. */
  replayable(answer: A): boolean;
  /** A cheap guess of a delivery's key (undefined: never coalesced). */
  candidateKey(job: J): string | undefined;
  /** The delivery's key from its parsed body, confirming a guess before two deliveries are treated as one. */
  confirmedKey(job: J): string | undefined;
  now?: (() => number) | undefined;
}

export interface IntakeStats {
  /** Deliveries waiting for a handler slot now. */
  readonly queued: number;
  /** Deliveries being handled now. */
  readonly running: number;
  /** The most deliveries that waited at once. */
  readonly peakQueued: number;
  /** Redelivered copies answered with their original's answer instead of being queued again. */
  readonly coalesced: number;
  /** Deliveries refused at once (queue full, or estimated too late with `refuseLate`). */
  readonly refused: number;
  /** Answers sent after the deadline (the platform redelivers those). */
  readonly late: number;
}

/** `confirmed` before `confirmedKey` has run (its result may be undefined). */
const NOT_CONFIRMED: unique symbol = Symbol('not confirmed');

interface Received<J> {
  readonly job: J;
  readonly receivedAt: number;
  confirmed: string | undefined | typeof NOT_CONFIRMED;
}

interface Entry<J> extends Received<J> {
  readonly candidate: string | undefined;
  /** The latest redelivered copy: the platform waits for its latest push only, the earlier ones have failed (§5). */
  latest: Received<J> | undefined;
}

/**
 * The long connection's intake: at most `maxConcurrency` deliveries run at once, at most
 * `maxQueue` wait in arrival order, and one event is never queued twice.
 *
 * A redelivery of an event still queued or running (the platform pushes an event again when its
 * answer did not come within 3 s, long-connection.md §5) is attached to the original and gets the
 * original's answer when it finishes (only the latest copy: the platform awaits no earlier push): code 200 (with a callback's data) when handled, code 500
 * when it failed, so that the platform retries and the event is never lost. Answering the copy
 * code 500 at once would spend one of the platform's four retries (15 s, 5 min, 1 h, 6 h) for
 * nothing; answering 200 at once would lose the event if the original then failed. A copy of an
 * event whose "handled" answer went out late (past half the deadline) or not at all is answered
 * from memory at once, instead of waiting behind the queue to time out again.
 *
 * Bounds: beyond `maxQueue` a delivery is answered `refusal` (code 500: the platform retries) at
 * once instead of being left to time out. With `refuseLate`, so is a delivery whose answer is
 * estimated later than the deadline: (deliveries waiting ÷ maxConcurrency + 2) × the average
 * handler time so far. That is off by default: a burst larger than five deadlines' worth of work
 * would then be refused on every one of the platform's five attempts and lost, whereas work
 * accepted late still runs once and its redelivery is answered from memory.
 */
export class IntakeQueue<J, A> {
  private active = 0;
  private readonly waiting: Array<Entry<J>> = [];
  private readonly byKey = new Map<string, Entry<J>>();
  private readonly lateAnswers = new Map<string, { readonly answer: A; readonly expires: number }>();
  private averageMs: number | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly now: () => number;
  private counts = { peakQueued: 0, coalesced: 0, refused: 0, late: 0 };
  private pumping = false;

  constructor(private readonly options: IntakeOptions<J, A>) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Deliveries running or waiting for a slot. */
  get pending(): number {
    return this.active + this.waiting.length;
  }

  stats(): IntakeStats {
    return { queued: this.waiting.length, running: this.active, ...this.counts };
  }

  /** Takes one received delivery: runs it, queues it, attaches it to its original, or answers it at once. */
  push(job: J): 'started' | 'queued' | 'coalesced' | 'refused' {
    const o = this.options;
    const receivedAt = this.now();
    const candidate = o.candidateKey(job);
    // One object per delivery on the hot path: the entry is also the `Received` a copy would be.
    const entry: Entry<J> = { job, receivedAt, confirmed: NOT_CONFIRMED, candidate, latest: undefined };
    if (candidate !== undefined) {
      const original = this.byKey.get(candidate);
      if (original && this.confirm(original) !== undefined && this.confirm(original) === this.confirm(entry)) {
        original.latest = { job, receivedAt, confirmed: entry.confirmed };
        this.counts.coalesced++;
        return 'coalesced';
      }
      if (this.lateAnswers.size > 0) {
        const late = this.lateAnswers.get(candidate);
        if (late && this.confirm(entry) === candidate) {
          this.lateAnswers.delete(candidate);
          if (late.expires > receivedAt) {
            this.counts.coalesced++;
            o.send(job, late.answer, receivedAt);
            return 'coalesced';
          }
        }
      }
    }
    if (this.active < o.maxConcurrency) {
      this.track(entry);
      this.start(entry);
      return 'started';
    }
    if (this.waiting.length >= o.maxQueue || (o.refuseLate && this.estimatedAnswerMs() > o.deadlineMs)) return this.refuse(entry);
    this.track(entry);
    this.waiting.push(entry);
    if (this.waiting.length > this.counts.peakQueued) this.counts.peakQueued = this.waiting.length;
    return 'queued';
  }

  /** Drops the deliveries still waiting (the platform redelivers them). */
  clear(): void {
    for (const entry of this.waiting) this.untrack(entry);
    this.waiting.length = 0;
  }

  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private estimatedAnswerMs(): number {
    if (this.averageMs === undefined) return 0;
    // The running ones finish, the queue ahead drains a slot-full at a time, then this one runs.
    return (Math.floor(this.waiting.length / this.options.maxConcurrency) + 2) * this.averageMs;
  }

  private refuse(received: Received<J>): 'refused' {
    this.counts.refused++;
    this.options.send(received.job, this.options.refusal, received.receivedAt);
    return 'refused';
  }

  private confirm(received: Received<J>): string | undefined {
    if (received.confirmed === NOT_CONFIRMED) received.confirmed = this.options.confirmedKey(received.job);
    return received.confirmed;
  }

  private track(entry: Entry<J>): void {
    if (entry.candidate !== undefined && !this.byKey.has(entry.candidate)) this.byKey.set(entry.candidate, entry);
  }

  private untrack(entry: Entry<J>): void {
    if (entry.candidate !== undefined && this.byKey.get(entry.candidate) === entry) this.byKey.delete(entry.candidate);
  }

  /**
   * Runs one delivery. A run that answers synchronously finishes here, without a Promise or a
   * microtask (the common case: the in-memory dispatcher and a plain handler).
   */
  private start(entry: Entry<J>): void {
    this.active++;
    const started = this.now();
    let answer: A | Promise<A>;
    try {
      answer = this.options.run(entry.job);
    } catch (err) {
      this.release();
      throw err;
    }
    if (isThenable(answer)) {
      answer.then(
        (a) => this.complete(entry, a, started),
        () => this.release(),
      );
    } else this.complete(entry, answer, started);
  }

  private complete(entry: Entry<J>, answer: A, started: number): void {
    const o = this.options;
    try {
      const finished = this.now();
      const took = finished - started;
      this.averageMs = this.averageMs === undefined ? took : this.averageMs * 0.8 + took * 0.2;
      this.untrack(entry);
      const latest = entry.latest ?? entry;
      const sent = o.send(latest.job, answer, latest.receivedAt);
      const elapsed = finished - latest.receivedAt;
      if (elapsed > o.deadlineMs) this.counts.late++;
      // The platform's clock started before ours (transit, a busy event loop): past half the deadline, expect a redelivery.
      if ((elapsed > o.deadlineMs / 2 || !sent) && o.replayable(answer)) this.remember(entry, answer, finished);
    } finally {
      this.release();
    }
  }

  /** One run ended: start waiting deliveries into the free slots, or tell the idle waiters. */
  private release(): void {
    this.active--;
    // A loop, not recursion: runs that finish synchronously must not nest one frame per queued delivery.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.active < this.options.maxConcurrency && this.waiting.length > 0) this.start(this.waiting.shift()!);
    } finally {
      this.pumping = false;
    }
    if (this.active === 0 && this.waiting.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private remember(entry: Entry<J>, answer: A, now: number): void {
    const key = this.confirm(entry);
    if (key === undefined) return;
    this.lateAnswers.delete(key);
    this.lateAnswers.set(key, { answer, expires: now + LATE_ANSWER_TTL_MS });
    // Insertion order is expiry order: the first entries are the oldest.
    for (const [k, v] of this.lateAnswers) {
      if (this.lateAnswers.size <= LATE_ANSWERS_MAX && v.expires > now) break;
      this.lateAnswers.delete(k);
    }
  }
}
