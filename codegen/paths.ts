import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

/** The repository root: the nearest ancestor of this file holding package.json (works from codegen/ and dist/esm/codegen/). */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'schemas'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('lark-event-catalog: cannot find the repository root (a folder with package.json and schemas/)');
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRoot();
export const schemasDir = path.join(repoRoot, 'schemas');
export const generatedDir = path.join(repoRoot, 'generated');
export const catalogPath = path.join(schemasDir, 'catalog.tsv');
