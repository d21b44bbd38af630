import { describe, expect, it } from 'vitest';
import type { IntakeOptions } from '../../../src/transport/ws/intake.js';
import { IntakeQueue } from '../../../src/transport/ws/intake.js';

/** A delivery: its event id (the key) and a name for the push. */
interface Job {
  readonly id: string | undefined;
  readonly push: string;
}

type Answer = 'ok' | 'failed' | 'retry';

/** An intake over fake deliveries whose handlers finish when the test says so, on a fake clock. */
function harness(options: Partial<IntakeOptions<Job, Answer>> = {}) {
  const started: string[] = [];
  const sent: Array<{ push: string; answer: Answer; at: number }> = [];
  const finish = new Map<string, (answer: Answer) => void>();
  const clock = { now: 0 };
  let connected = true;
  const q = new IntakeQueue<Job, Answer>({
    maxConcurrency: 2,
    maxQueue: 100,
    deadlineMs: 3_000,
    refuseLate: false,
    run: (job) => {
      started.push(job.push);
      return new Promise<Answer>((resolve) => finish.set(job.push, resolve));
    },
    send: (job, answer) => {
      if (!connected) return false;
      sent.push({ push: job.push, answer, at: clock.now });
      return true;
    },
    refusal: 'retry',
    replayable: (a) => a === 'ok',
    candidateKey: (job) => job.id,
    confirmedKey: (job) => job.id,
    now: () => clock.now,
    ...options,
  });
  const done = async (push: string, answer: Answer = 'ok') => {
    finish.get(push)!(answer);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { q, started, sent, clock, done, disconnect: () => (connected = false), reconnect: () => (connected = true) };
}

describe('IntakeQueue', () => {
  it('runs at most maxConcurrency deliveries at once, the rest in arrival order, and resolves whenIdle at the end', async () => {
    const h = harness();
    for (const id of ['a', 'b', 'c', 'd']) expect(h.q.push({ id, push: id })).toBe(id < 'c' ? 'started' : 'queued');
    expect(h.started).toEqual(['a', 'b']);
    expect(h.q.pending).toBe(4);
    expect(h.q.stats()).toMatchObject({ queued: 2, running: 2, peakQueued: 2 });
    let idle = false;
    const whenIdle = h.q.whenIdle().then(() => (idle = true));
    await h.done('a');
    expect(h.started).toEqual(['a', 'b', 'c']);
    await h.done('b');
    await h.done('c');
    expect(idle).toBe(false);
    await h.done('d');
    await whenIdle;
    expect(idle).toBe(true);
    expect(h.sent.map((s) => s.push)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never queues an event twice: a redelivered copy gets its original\'s answer when the original finishes', async () => {
    const h = harness();
    h.q.push({ id: 'a', push: 'a#1' });
    h.q.push({ id: 'b', push: 'b#1' });
    h.q.push({ id: 'c', push: 'c#1' });
    // Copies of a running and of a queued event.
    expect(h.q.push({ id: 'a', push: 'a#2' })).toBe('coalesced');
    expect(h.q.push({ id: 'c', push: 'c#2' })).toBe('coalesced');
    expect(h.q.push({ id: 'c', push: 'c#3' })).toBe('coalesced');
    expect(h.q.stats()).toMatchObject({ queued: 1, running: 2, coalesced: 3 });
    await h.done('a#1');
    await h.done('b#1');
    await h.done('c#1', 'failed');
    expect(h.started).toEqual(['a#1', 'b#1', 'c#1']);
    // Only the latest push is answered: the platform awaits no earlier one. A failure is answered as one (it retries).
    expect(h.sent.map((s) => `${s.push}=${s.answer}`)).toEqual(['a#2=ok', 'b#1=ok', 'c#3=failed']);
  });

  it('does not coalesce deliveries whose guessed keys match but whose confirmed keys differ, nor keyless ones', async () => {
    const h = harness({ candidateKey: () => 'same', confirmedKey: (job) => job.id });
    expect(h.q.push({ id: 'a', push: 'a' })).toBe('started');
    expect(h.q.push({ id: 'b', push: 'b' })).toBe('started');
    expect(h.q.push({ id: undefined, push: 'x' })).toBe('queued');
    expect(h.q.push({ id: undefined, push: 'y' })).toBe('queued');
    expect(h.q.stats().coalesced).toBe(0);
  });

  it('answers a copy of an event whose "handled" answer went out after the deadline at once, from memory', async () => {
    const h = harness();
    h.q.push({ id: 'a', push: 'a#1' });
    h.q.push({ id: 'f', push: 'f#1' });
    h.clock.now = 3_500;
    await h.done('a#1');
    await h.done('f#1', 'failed');
    expect(h.q.stats().late).toBe(2);
    h.clock.now = 18_500;
    expect(h.q.push({ id: 'a', push: 'a#2' })).toBe('coalesced');
    expect(h.sent.at(-1)).toEqual({ push: 'a#2', answer: 'ok', at: 18_500 });
    // A failed event is run again, and a remembered answer is used once.
    expect(h.q.push({ id: 'f', push: 'f#2' })).toBe('started');
    expect(h.q.push({ id: 'a', push: 'a#3' })).toBe('started');
    expect(h.started).toEqual(['a#1', 'f#1', 'f#2', 'a#3']);
  });

  it('also remembers answers past half the deadline (the platform\'s clock started earlier), but not prompt ones', async () => {
    const h = harness();
    h.q.push({ id: 'slow', push: 'slow#1' });
    h.q.push({ id: 'fast', push: 'fast#1' });
    h.clock.now = 1_000;
    await h.done('fast#1');
    h.clock.now = 2_000;
    await h.done('slow#1');
    expect(h.q.stats().late).toBe(0);
    expect(h.q.push({ id: 'slow', push: 'slow#2' })).toBe('coalesced');
    expect(h.q.push({ id: 'fast', push: 'fast#2' })).toBe('started');
  });

  it('remembers the answer when it could not be sent (connection gone), even on time', async () => {
    const h = harness();
    h.q.push({ id: 'a', push: 'a#1' });
    h.disconnect();
    await h.done('a#1');
    h.reconnect();
    expect(h.q.push({ id: 'a', push: 'a#2' })).toBe('coalesced');
    expect(h.sent).toEqual([{ push: 'a#2', answer: 'ok', at: 0 }]);
  });

  it('refuses at once beyond maxQueue with the retry answer, and counts it', async () => {
    const h = harness({ maxConcurrency: 1, maxQueue: 2 });
    expect(['a', 'b', 'c', 'd'].map((id) => h.q.push({ id, push: id }))).toEqual(['started', 'queued', 'queued', 'refused']);
    expect(h.sent).toEqual([{ push: 'd', answer: 'retry', at: 0 }]);
    expect(h.q.stats()).toMatchObject({ queued: 2, running: 1, refused: 1, peakQueued: 2 });
    // maxQueue 0: nothing waits.
    const none = harness({ maxConcurrency: 1, maxQueue: 0 });
    expect(['a', 'b'].map((id) => none.q.push({ id, push: id }))).toEqual(['started', 'refused']);
  });

  it('with refuseLate, refuses a delivery whose answer is estimated after the deadline', async () => {
    const h = harness({ maxConcurrency: 1, refuseLate: true });
    // No handler time observed yet: nothing is refused by estimate.
    expect(['a', 'b', 'c'].map((id) => h.q.push({ id, push: id }))).toEqual(['started', 'queued', 'queued']);
    h.clock.now = 1_000;
    await h.done('a'); // 1 s per handler; b runs, c waits.
    // After b (running) and the queue ahead, each 1 s: d would answer after ~3 s (in time), e after ~4 s.
    expect(h.q.push({ id: 'd', push: 'd' })).toBe('queued');
    expect(h.q.push({ id: 'e', push: 'e' })).toBe('refused');
    expect(h.sent.at(-1)).toEqual({ push: 'e', answer: 'retry', at: 1_000 });
  });

  it('clear() drops the waiting deliveries, not the running ones, and forgets their keys', async () => {
    const h = harness({ maxConcurrency: 1 });
    h.q.push({ id: 'a', push: 'a#1' });
    h.q.push({ id: 'b', push: 'b#1' });
    h.q.clear();
    expect(h.q.pending).toBe(1);
    expect(h.q.push({ id: 'b', push: 'b#2' })).toBe('queued');
    await h.done('a#1');
    await h.done('b#2');
    await h.q.whenIdle();
    expect(h.started).toEqual(['a#1', 'b#2']);
  });
});
