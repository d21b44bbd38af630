import type { Command } from 'commander';
import { CliError } from '../io.js';

/** The codegen ships in a checkout of this repository, not in the published package. */
async function loadCodegen<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliError('this command runs in a checkout of lark-event-catalog (it needs codegen/ and the dev dependencies): git clone, npm ci, then npx lark-events …');
    }
    throw err;
  }
}

export function registerCodegen(program: Command, setExit: (code: number) => void): void {
  program
    .command('generate')
    .description('rebuild generated/ from schemas/ (types, validators, dispatcher, docs)')
    .option('--check', 'exit 1 when generated/ is stale, listing the files that differ')
    .action(async (opts: { check?: boolean }) => {
      const { runGenerateCli } = await loadCodegen(() => import('../../../codegen/cli.js'));
      setExit(await runGenerateCli(opts.check ? ['--check'] : []));
    });
}

export function registerImport(program: Command, setExit: (code: number) => void): void {
  program
    .command('import')
    .description('turn official reference pages (Markdown) into schema files under schemas/')
    .argument('<pages...>', 'reference pages, e.g. ../shared/lark-docs/events/im-v1/message/events/receive.md')
    .allowUnknownOption(true)
    .action(async (pages: string[]) => {
      const { runImportCli } = await loadCodegen(() => import('../../../codegen/import/index.js'));
      setExit(await runImportCli(pages));
    });
}
