import type { Command } from 'commander';
import { loadCodegen } from './codegen.js';

export function registerLearn(program: Command, setExit: (code: number) => void): void {
  program
    .command('learn')
    .description('turn captured deliveries (serve/connect --capture) or a saved drift report into schema changes (exit 0 all learned, 1 some contradictions left, 2 usage or unreadable input)')
    .argument('<inputs...>', 'captured payload files or folders of them, or drift reports saved as JSON')
    .option('--write', 'edit schemas/ (changed nodes marked "x-lark-source": "captured"); then run npm run generate')
    .option('--json', 'print the plan as JSON: {payloads, reports, changes, notLearned, written}')
    .option('--schemas <dir>', 'the schemas folder to diff against and edit (default: this checkout\'s schemas/)')
    .action(async (inputs: string[], opts: { write?: boolean; json?: boolean; schemas?: string }) => {
      const { runLearn } = await loadCodegen(() => import('../../../codegen/learn/index.js'));
      setExit(runLearn({ inputs, write: opts.write, json: opts.json, schemasDir: opts.schemas }));
    });
}
