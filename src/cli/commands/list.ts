import type { Command } from 'commander';
import { catalog } from '../../catalog.js';
import { print } from '../io.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list every catalogued event and callback')
    .option('--json', 'print a JSON array: [{event_type, kind, type_name, register_method}]')
    .action((opts: { json?: boolean }) => {
      const rows = [...catalog]
        .sort((a, b) => (a.eventType < b.eventType ? -1 : 1))
        .map((e) => ({ event_type: e.eventType, kind: e.kind, type_name: e.typeName, register_method: e.registerMethod }));
      if (opts.json) return print(JSON.stringify(rows, null, 2));
      print(alignColumns(rows.map((r) => [r.event_type, r.kind, r.type_name, r.register_method])).join('\n'));
    });
}

/** Pads every column but the last to its widest value, two spaces apart. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
