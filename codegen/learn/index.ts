/**
 * `lark-events learn <payload files or folders…> [--write] [--json] [--schemas <dir>]`: reads
 * captured deliveries and saved drift reports, prints the schema changes that would make them valid
 * (each with its evidence), and with --write edits schemas/ so that `npm run generate` builds a
 * catalog that accepts them in strict mode.
 */

import fs from 'node:fs';
import { loadSchemas, SchemaLoadError } from '../load.js';
import { schemasDir as defaultSchemasDir } from '../paths.js';
import { applyPlan, LearnApplyError } from './apply.js';
import { diffPayload, diffReport, SchemaIndex } from './diff.js';
import type { Finding } from './diff.js';
import { LearnInputError, readInputs } from './inputs.js';
import { formatPlan, plan } from './plan.js';
import type { Plan } from './plan.js';

export type { Change, Plan } from './plan.js';

export interface LearnOptions {
  readonly inputs: readonly string[];
  readonly write?: boolean | undefined;
  readonly json?: boolean | undefined;
  /** The schemas/ folder to diff against and edit (default: this checkout's). */
  readonly schemasDir?: string | undefined;
  readonly out?: ((text: string) => void) | undefined;
  readonly err?: ((text: string) => void) | undefined;
}

/** Reads the inputs and plans the changes against the schemas in `schemasDir`. */
export function learn(inputs: readonly string[], schemasDir: string): { plan: Plan; payloads: number; reports: number; index: SchemaIndex } {
  const index = new SchemaIndex(loadSchemas(schemasDir));
  const read = readInputs(inputs);
  const findings: Finding[] = [];
  for (const input of read) {
    if (input.kind === 'payload') findings.push(...diffPayload(index, input.payload, input.source));
    else findings.push(...diffReport(index, input.report, input.source));
  }
  return { plan: plan(findings), payloads: read.filter((i) => i.kind === 'payload').length, reports: read.filter((i) => i.kind === 'report').length, index };
}

/** Exit code: 0 every input learned (or nothing to learn), 1 some problems learn leaves alone, 2 usage or unreadable input. */
export function runLearn(options: LearnOptions): number {
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const err = options.err ?? ((t: string) => process.stderr.write(t));
  const dir = options.schemasDir ?? defaultSchemasDir;
  if (options.inputs.length === 0) {
    err('learn: give captured payload files or folders, or a saved drift report\n');
    return 2;
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    err(`learn: no schemas folder at ${dir} (learn runs in a checkout of lark-event-catalog, or give --schemas <dir>)\n`);
    return 2;
  }
  try {
    const result = learn(options.inputs, dir);
    const written = options.write ? applyPlan(dir, result.plan.changes, result.index.titles()) : [];
    if (options.json) out(JSON.stringify({ payloads: result.payloads, reports: result.reports, ...result.plan, written }, null, 2) + '\n');
    else {
      out(formatPlan(result.plan, result));
      if (options.write) out(written.length > 0 ? `wrote ${written.length} schema file(s) under ${dir}: ${written.join(', ')}\nnext: npm run generate (or lark-events generate), then commit schemas/ and generated/\n` : 'nothing written\n');
      else if (result.plan.changes.length > 0) out('run again with --write to edit schemas/, then npm run generate\n');
    }
    return result.plan.notLearned.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof LearnInputError || e instanceof LearnApplyError || e instanceof SchemaLoadError) {
      err(`learn: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
