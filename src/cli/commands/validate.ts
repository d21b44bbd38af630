import type { Command } from 'commander';
import { validate } from '../../validate.js';
import { formatIssue } from '../../runtime/validation.js';
import type { ValidationIssue } from '../../runtime/validation.js';
import { parseJsonText, print, readInput } from '../io.js';

interface FileResult {
  file: string;
  event_type: string | null;
  valid: boolean;
  /** Problems that make the file invalid in this mode, each with its `class`. */
  errors: ValidationIssue[];
  /** Drift tolerated in the default mode (with --strict it is among the errors). */
  drift: ValidationIssue[];
}

const line = (file: string, type: string | null, e: ValidationIssue): string =>
  `${file}: ${type ?? 'unknown event'}: ${formatIssue(e)}${e.class === 'drift' ? ` (drift: ${e.drift ?? e.keyword})` : ''}`;

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('validate payloads against the catalog (exit 0 all valid, 1 any invalid, 2 usage or unreadable input); contradictions are errors, drift (new enum value, unknown property, unexpected null) only with --strict')
    .argument('<files...>', 'JSON payload files, or - for standard input')
    .option('--strict', 'drift is an error too (unknown properties, new enum values, unexpected nulls)')
    .option('--json', 'print a JSON array: [{file, event_type, valid, errors, drift}], each problem with its class (contradiction or drift)')
    .action(async (files: string[], opts: { strict?: boolean; json?: boolean }) => {
      const results: FileResult[] = [];
      for (const file of files) {
        const payload = parseJsonText(file, readInput(file));
        const r = await validate(payload, { strict: opts.strict ?? false });
        results.push({ file, event_type: r.eventType ?? null, valid: r.valid, errors: [...r.errors], drift: [...(r.drift ?? [])] });
      }
      if (opts.json) print(JSON.stringify(results, null, 2));
      else {
        for (const r of results) {
          if (r.valid) print(`${r.file}: valid ${r.event_type ?? ''}`.trimEnd());
          else for (const e of r.errors) print(line(r.file, r.event_type, e));
          for (const e of r.drift) print(line(r.file, r.event_type, e));
        }
      }
      setExit(results.every((r) => r.valid) ? 0 : 1);
    });
}
