import { describe, expect, it } from 'vitest';
import { randomHex, seededRandom } from '../../src/emulator/random.js';

describe('emulator random helpers', () => {
  it('randomHex gives `bytes` random bytes as lowercase hex, distinct across pool refills', () => {
    const seen = new Set<string>();
    // 4 KiB pool: 600 ids of 16 bytes refill it twice.
    for (let i = 0; i < 600; i++) {
      const id = randomHex(16);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(600);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
    expect(randomHex(5000)).toMatch(/^[0-9a-f]{10000}$/);
  });

  it('seededRandom repeats its sequence for a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});
