import type { Command } from 'commander';
import { CliError } from '../io.js';

/** The codegen ships in a checkout of this repository, not in the published package. */
export async function loadCodegen<T>(load: () => Promise<T>): Promise<T> {
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
    .argument('[pages...]', 'reference pages (Markdown files of the official docs), e.g. <docs>/events/im-v1/message/events/receive.md')
    .addHelpText('after', `
Options (passed to the importer):
  --out <dir>               output directory (default: schemas)
  --catalog <catalog.tsv>   catalog for names (default: schemas/catalog.tsv)
  --from-catalog <docs>     import every catalog row whose doc_page is under events/, resolved against <docs>
  --no-sdk-merge            do not merge in the fields the official Node SDK types but the page lacks
  --sdk-types <index.d.ts>  the Node SDK typings to merge from (default: the installed @larksuiteoapi/node-sdk)
  --examples <dir>          official example payloads (<event_type>.json); default: <docs>/examples with --from-catalog
  --dry-run                 build and validate, write nothing`)
    .allowUnknownOption(true)
    .action(async (pages: string[]) => {
      const { runImportCli } = await loadCodegen(() => import('../../../codegen/import/index.js'));
      setExit(await runImportCli(pages));
    });
}
