import path from 'node:path';
import { buildSite, defaultSiteDir, SiteBuildError } from './build-site.js';

/** `npm run docs [-- --out DIR]`: builds the browsable catalog (default: site/). Returns the exit code. */
export async function runDocsBuildCli(argv: string[]): Promise<number> {
  let out = defaultSiteDir;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' && argv[i + 1]) out = path.resolve(argv[++i] ?? '');
    else {
      process.stderr.write(`docs: unknown argument ${a ?? ''}\nusage: npm run docs [-- --out DIR]\n`);
      return 2;
    }
  }
  const started = performance.now();
  try {
    const r = await buildSite(out);
    const ms = Math.round(performance.now() - started);
    process.stdout.write(`${path.relative(process.cwd(), r.outDir) || '.'}/: ${r.events} events in ${r.domains} domains, ${r.files} files, ${(r.bytes / 1024 / 1024).toFixed(1)} MB, in ${ms} ms. Serve it with: npx lark-events docs\n`);
    return 0;
  } catch (err) {
    if (err instanceof SiteBuildError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] && /codegen[\\/]site[\\/]cli\.(ts|js)$/.test(process.argv[1])) {
  runDocsBuildCli(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
