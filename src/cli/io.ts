import fs from 'node:fs';
import { jsonErrorLocation } from '../util/json-error-location.js';

/** A usage or input error: exit code 2, message on stderr. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}

export function readInput(file: string): string {
  try {
    return file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read (${code ?? (err instanceof Error ? err.message : String(err))})`);
  }
}

/** JSON.parse whose error names the file, line and column. */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const at = jsonErrorLocation(text, err);
    throw new CliError(`${file}:${at.line}:${at.column}: not valid JSON: ${at.message}`);
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** A parser for a flag taking a non-negative integer (milliseconds or a count); `what` ends its error, e.g. "(0 turns the limit off)". */
export function nonNegativeInteger(flag: string, what: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new CliError(`${flag} must be a non-negative integer ${what}: ${value}`);
    return Number(value);
  };
}
