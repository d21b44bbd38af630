import { randomFillSync } from 'node:crypto';

/** mulberry32: a small, fast PRNG; the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Random ids come from a pool filled 4 KiB at a time: one randomBytes call per id costs more than
// the rest of preparing a delivery.
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

/** `bytes` random bytes as lowercase hex (like `randomBytes(bytes).toString('hex')`). */
export function randomHex(bytes: number): string {
  if (bytes > pool.length) return randomFillSync(Buffer.alloc(bytes)).toString('hex');
  if (poolUsed + bytes > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const hex = pool.toString('hex', poolUsed, poolUsed + bytes);
  poolUsed += bytes;
  return hex;
}
