import fs from 'node:fs';

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
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      throw new CliError(`${file}:${line}:${col}: not valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
    }
    const lines = text.split('\n');
    throw new CliError(`${file}:${lines.length}:${(lines.at(-1) ?? '').length + 1}: not valid JSON: ${msg}`);
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}
