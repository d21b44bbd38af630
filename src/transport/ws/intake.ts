/**
 * The concurrency limit on deliveries: at most `limit` run at once, the rest wait in order.
 * `whenIdle` resolves when nothing runs or waits (drain on close).
 */
export class IntakeQueue<J> {
  private active = 0;
  private readonly waiting: J[] = [];
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly run: (job: J) => Promise<void>,
  ) {}

  /** Deliveries running or waiting for a slot. */
  get pending(): number {
    return this.active + this.waiting.length;
  }

  push(job: J): void {
    if (this.active < this.limit) void this.start(job);
    else this.waiting.push(job);
  }

  /** Drops the deliveries still waiting (the platform redelivers them). */
  clear(): void {
    this.waiting.length = 0;
  }

  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async start(job: J): Promise<void> {
    this.active++;
    try {
      await this.run(job);
    } finally {
      this.active--;
      const next = this.waiting.shift();
      if (next !== undefined) void this.start(next);
      else if (this.active === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }
}
