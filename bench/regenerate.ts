import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { median, round } from './stats.js';

/** Full regeneration of the catalog (`npm run generate -- --check`: the whole pipeline, nothing written). */
export function runRegenerateBench(root: string, runs = 3): { ms: number; events: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(root, 'codegen', 'cli.ts'), '--check'], { cwd: root, stdio: 'pipe' });
    samples.push(performance.now() - t);
  }
  return { ms: round(median(samples), 0), events: 250 };
}
