import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { readCatalog } from '../catalog.js';
import { lint, formatProblem } from '../lint.js';
import { loadSchemas } from '../load.js';
import { buildModel } from '../model.js';
import { catalogPath, generatedDir, repoRoot, schemasDir } from '../paths.js';
import { siteData } from './site-data.js';
import type { SiteIndex } from './site-types.js';

/**
 * The browsable catalog: a static single-page site (hash routes #/event/<event_type>) built from
 * schemas/ and the precompiled validators of generated/. Output, by default <repo>/site/:
 *   index.html, style.css, app.js       the page and its code (codegen/site/client/)
 *   data/index.json                     every event's search row, loaded up front
 *   data/<domain>.json                  field trees, examples, permissions: loaded when an event is opened
 *   validators/<domain>.js              generated/<domain>/validators.js bundled for the browser, loaded on first validation
 *   asyncapi.json                       generated/asyncapi.json, for download
 */

export const defaultSiteDir = path.join(repoRoot, 'site');
const MARKER = '.lark-events-site';
const clientDir = path.join(repoRoot, 'codegen', 'site', 'client');

export class SiteBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteBuildError';
  }
}

/** Empties outDir, refusing to touch a non-empty folder that an earlier build did not make. */
function prepare(outDir: string): void {
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0 && !fs.existsSync(path.join(outDir, MARKER))) {
    throw new SiteBuildError(`${outDir}: not empty and not a site built by lark-events docs; choose another folder`);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'data'), { recursive: true });
  fs.writeFileSync(path.join(outDir, MARKER), 'Built by `npm run docs` (codegen/site/build-site.ts); removed and rebuilt by every build.\n');
}

export interface SiteBuildResult {
  outDir: string;
  events: number;
  domains: number;
  files: number;
  bytes: number;
}

export async function buildSite(outDir = defaultSiteDir): Promise<SiteBuildResult> {
  const schemas = loadSchemas(schemasDir);
  const all = new Map(schemas.map((s) => [s.id, s]));
  const { events, problems } = lint(schemas, readCatalog(catalogPath));
  if (problems.length) throw new SiteBuildError(`schemas have ${problems.length} problem(s) (run npm run generate):\n${problems.slice(0, 10).map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  const domains = buildModel(events, all);
  const missing = domains.filter((d) => !fs.existsSync(path.join(generatedDir, d.name, 'validators.js')));
  if (missing.length) throw new SiteBuildError(`generated/${missing[0]?.name}/validators.js is missing: run npm run generate first`);

  const { index, pages } = siteData(domains, all);
  prepare(outDir);
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const siteIndex: SiteIndex = { version: pkg.version, events: index, domains: domains.map((d) => ({ name: d.name, count: d.events.length })) };
  fs.writeFileSync(path.join(outDir, 'data', 'index.json'), JSON.stringify(siteIndex));
  for (const [domain, list] of pages) fs.writeFileSync(path.join(outDir, 'data', `${domain}.json`), JSON.stringify(list));

  await build({
    entryPoints: Object.fromEntries(domains.map((d) => [d.name, path.join(generatedDir, d.name, 'validators.js')])),
    outdir: path.join(outDir, 'validators'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
  });
  await build({
    entryPoints: [path.join(clientDir, 'app.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'error',
  });
  for (const file of ['index.html', 'style.css']) fs.copyFileSync(path.join(clientDir, file), path.join(outDir, file));
  fs.copyFileSync(path.join(generatedDir, 'asyncapi.json'), path.join(outDir, 'asyncapi.json'));

  let files = 0;
  let bytes = 0;
  const count = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) count(full);
      else { files++; bytes += fs.statSync(full).size; }
    }
  };
  count(outDir);
  return { outDir, events: index.length, domains: domains.length, files, bytes };
}
