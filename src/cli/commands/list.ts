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
      const width = Math.max(...rows.map((r) => r.event_type.length));
      print(rows.map((r) => `${r.event_type.padEnd(width)}  ${r.kind.padEnd(8)}  ${r.type_name}  ${r.register_method}`).join('\n'));
    });
}
