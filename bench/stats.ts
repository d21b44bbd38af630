/** Median of numbers (the middle value, or the mean of the two middle ones). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

/** Runs `fn` for warm-up rounds, then `rounds` measured ones; returns each round's duration in ms. */
export async function rounds(fn: () => Promise<void> | void, options: { warmup?: number; rounds?: number } = {}): Promise<number[]> {
  for (let i = 0; i < (options.warmup ?? 1); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < (options.rounds ?? 5); i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

export const ratio = (ours: number, theirs: number): number => Math.round((ours / theirs) * 100) / 100;
export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
