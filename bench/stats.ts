/** Median of numbers (the middle value, or the mean of the two middle ones). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile (p in 0–100); NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export const ratio = (ours: number, theirs: number): number => Math.round((ours / theirs) * 100) / 100;
export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
