import fs from 'node:fs';
import path from 'node:path';
import { catalog } from '../src/catalog.js';
import { validate } from '../src/index.js';
import { median, round } from './stats.js';

export interface ValidationCost {
  eventType: string;
  schemaBytes: number;
  payloadBytes: number;
  /** Median nanoseconds per validation (default mode / strict mode). */
  nsDefault: number;
  nsStrict: number;
}

/** Validation cost per event for the ten largest schemas (by file size), with their first example. */
export async function runValidationBench(root: string, iterations = 20_000): Promise<ValidationCost[]> {
  const sized = catalog.map((e) => {
    const file = path.join(root, 'schemas', e.domain, `${e.eventType}.json`);
    return { e, file, bytes: fs.statSync(file).size };
  }).sort((a, b) => b.bytes - a.bytes).slice(0, 10);
  const out: ValidationCost[] = [];
  for (const { e, file, bytes } of sized) {
    const example = (JSON.parse(fs.readFileSync(file, 'utf8')) as { examples: unknown[] }).examples[0];
    const measure = async (strict: boolean): Promise<number> => {
      const samples: number[] = [];
      await validate(example, { strict });
      for (let r = 0; r < 5; r++) {
        const t = process.hrtime.bigint();
        for (let i = 0; i < iterations / 5; i++) await validate(example, { strict });
        samples.push(Number(process.hrtime.bigint() - t) / (iterations / 5));
      }
      return round(median(samples), 0);
    };
    out.push({ eventType: e.eventType, schemaBytes: bytes, payloadBytes: JSON.stringify(example).length, nsDefault: await measure(false), nsStrict: await measure(true) });
  }
  return out;
}
