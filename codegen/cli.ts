import { CatalogError } from './catalog.js';
import { generate, GenerateError, FIX_COMMAND } from './generate.js';
import { SchemaLoadError } from './load.js';
import { catalogPath, generatedDir, schemasDir } from './paths.js';

export interface GeneratePaths {
  schemasDir: string;
  outDir: string;
  catalogPath: string;
}

/** `npm run generate [-- --check]` and `lark-events generate [--check]`. Returns the exit code. */
export async function runGenerateCli(argv: string[], paths: GeneratePaths = { schemasDir, outDir: generatedDir, catalogPath }): Promise<number> {
  const unknown = argv.filter((a) => a !== '--check' && a !== '--quiet');
  if (unknown.length) {
    process.stderr.write(`generate: unknown argument ${unknown[0]}\nusage: lark-events generate [--check]\n`);
    return 2;
  }
  const check = argv.includes('--check');
  const started = performance.now();
  try {
    const result = await generate({ ...paths, check });
    const ms = Math.round(performance.now() - started);
    if (check && result.stale.length) {
      process.stderr.write(`generated/ is stale: ${result.stale.length} file(s) differ from what the schemas produce:\n`);
      for (const f of result.stale.slice(0, 30)) process.stderr.write(`  generated/${f}\n`);
      if (result.stale.length > 30) process.stderr.write(`  … and ${result.stale.length - 30} more\n`);
      process.stderr.write(`Fix: run \`${FIX_COMMAND}\` and commit generated/.\n`);
      return 1;
    }
    const note = result.missing.length ? ` (${result.missing.length} catalog row(s) have no schema yet)` : '';
    process.stdout.write(check
      ? `generated/ is up to date: ${result.files.length} files checked in ${ms} ms${note}\n`
      : `generated/: ${result.written} file(s) written, ${result.files.length} in all, in ${ms} ms${note}\n`);
    return 0;
  } catch (err) {
    // Problems in the inputs (schemas, catalog.tsv) are reported as file:line, without a stack.
    if (err instanceof GenerateError || err instanceof SchemaLoadError || err instanceof CatalogError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] && /codegen[\\/]cli\.(ts|js)$/.test(process.argv[1])) {
  runGenerateCli(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
