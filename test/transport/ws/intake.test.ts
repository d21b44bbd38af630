import { describe, expect, it } from 'vitest';
import { IntakeQueue } from '../../../src/transport/ws/intake.js';

describe('IntakeQueue', () => {
  it('runs at most `limit` jobs at once, the rest in arrival order, and resolves whenIdle at the end', async () => {
    const started: number[] = [];
    const release: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    const q = new IntakeQueue<number>(2, async (n) => {
      started.push(n);
      peak = Math.max(peak, ++running);
      await new Promise<void>((resolve) => release.push(resolve));
      running--;
    });
    for (const n of [1, 2, 3, 4]) q.push(n);
    expect(started).toEqual([1, 2]);
    expect(q.pending).toBe(4);
    let idle = false;
    const whenIdle = q.whenIdle().then(() => (idle = true));
    while (release.length > 0 || q.pending > 0) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await whenIdle;
    expect(idle).toBe(true);
    expect(started).toEqual([1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('clear() drops the waiting jobs, not the running ones', async () => {
    const started: number[] = [];
    let finish!: () => void;
    const q = new IntakeQueue<number>(1, async (n) => {
      started.push(n);
      await new Promise<void>((resolve) => (finish = resolve));
    });
    q.push(1);
    q.push(2);
    q.clear();
    expect(q.pending).toBe(1);
    finish();
    await q.whenIdle();
    expect(started).toEqual([1]);
  });
});
