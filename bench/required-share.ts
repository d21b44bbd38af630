/** The share of required event-body fields per domain and in all (what the generated types make non-optional). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCatalog } from '../codegen/catalog.js';
import { requiredShares, type RequiredShare } from '../codegen/fields.js';
import { lint } from '../codegen/lint.js';
import { loadSchemas } from '../codegen/load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function requiredShare(schemasDir: string = path.join(root, 'schemas')): RequiredShare[] {
  const schemas = loadSchemas(schemasDir);
  const { events } = lint(schemas, readCatalog(path.join(schemasDir, 'catalog.tsv')));
  return requiredShares(events.map((e) => ({ domain: e.domain, schema: e })), new Map(schemas.map((s) => [s.id, s])));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = requiredShare();
  const w = Math.max(...rows.map((r) => r.domain.length));
  console.log(`${'domain'.padEnd(w)}  required  fields   share`);
  for (const r of rows) console.log(`${r.domain.padEnd(w)}  ${String(r.required).padStart(8)}  ${String(r.total).padStart(6)}  ${(r.share * 100).toFixed(1).padStart(5)} %`);
}
