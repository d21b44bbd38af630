import type { Command } from 'commander';
import { validate } from '../../validate.js';
import { formatIssue } from '../../runtime/validation.js';
import type { ValidationIssue } from '../../runtime/validation.js';
import { parseJsonText, print, readInput } from '../io.js';

interface FileResult {
  file: string;
  event_type: string | null;
  valid: boolean;
  errors: ValidationIssue[];
}

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('validate payloads against the catalog (exit 0 all valid, 1 any invalid, 2 usage or unreadable input)')
    .argument('<files...>', 'JSON payload files, or - for standard input')
    .option('--strict', 'also reject properties the schema does not know')
    .option('--json', 'print a JSON array: [{file, event_type, valid, errors}]')
    .action(async (files: string[], opts: { strict?: boolean; json?: boolean }) => {
      const results: FileResult[] = [];
      for (const file of files) {
        const payload = parseJsonText(file, readInput(file));
        const r = await validate(payload, { strict: opts.strict ?? false });
        results.push({ file, event_type: r.eventType ?? null, valid: r.valid, errors: [...r.errors] });
      }
      if (opts.json) print(JSON.stringify(results, null, 2));
      else {
        for (const r of results) {
          if (r.valid) print(`${r.file}: valid ${r.event_type ?? ''}`.trimEnd());
          else for (const e of r.errors) print(`${r.file}: ${r.event_type ?? 'unknown event'}: ${formatIssue(e)}`);
        }
      }
      setExit(results.every((r) => r.valid) ? 0 : 1);
    });
}
