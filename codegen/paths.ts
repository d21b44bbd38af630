import path from 'node:path';
import { packageRoot } from '../src/util/package-root.js';

/** The repository root: the package's own root, from codegen/ and dist/esm/codegen/ alike. */
export const repoRoot = packageRoot();
export const schemasDir = path.join(repoRoot, 'schemas');
export const generatedDir = path.join(repoRoot, 'generated');
export const catalogPath = path.join(schemasDir, 'catalog.tsv');
