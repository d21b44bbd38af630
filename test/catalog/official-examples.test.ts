import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/index.js';
import { repo } from '../helpers.js';

/** Every official example payload (a copy of ../shared/lark-docs/examples/ in test/fixtures), as the platform's docs show it. */
const DIR = path.join(repo, 'test/fixtures/lark-docs/examples');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('official example payloads', () => {
  it('are there to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s validates in strict mode (no unknown property, no type or enum error)', async (file) => {
    const payload = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as unknown;
    const r = await validate(payload, { strict: true });
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
  });
});
