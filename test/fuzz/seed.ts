/**
 * The fuzz suites' seed: `LARK_FUZZ_SEED` (decimal or 0x-hex) replays a run, otherwise each suite's
 * fixed default keeps CI deterministic. The suites print the seed they used.
 */
export function fuzzSeed(fallback: number): number {
  const raw = process.env.LARK_FUZZ_SEED?.trim();
  if (raw === undefined || raw === '') return fallback;
  const seed = /^0x[0-9a-f]+$/i.test(raw) ? Number.parseInt(raw.slice(2), 16) : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(seed) || seed > 0xffffffff) throw new Error(`LARK_FUZZ_SEED must be a 32-bit integer, decimal or 0x-hex: ${raw}`);
  return seed;
}
