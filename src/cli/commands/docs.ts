import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../io.js';
import { packageRoot } from '../../util/package-root.js';

/**
 * `lark-events docs`: serves the browsable catalog on 127.0.0.1. The site is site/ at the package root:
 * shipped in the published package (built by `npm run docs` before packing), built here on demand in a
 * checkout when it is missing or older than schemas/, generated/ or its own sources.
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface SiteServer {
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

/** A static file server for a built site folder, on host (default 127.0.0.1) and port (0: a free one). */
export function serveSite(dir: string, options: { port?: number; host?: string } = {}): Promise<SiteServer> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(400, 'bad path\n');
    }
    const file = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (file !== root && !file.startsWith(root + path.sep)) return send(404, 'not found\n');
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) return send(404, 'not found\n');
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': stat.size, 'cache-control': 'no-cache' });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { address, port } = server.address() as AddressInfo;
      resolve({
        url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
        server,
        close: () => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); }),
      });
    });
  });
}

export const siteDir = (): string => path.join(packageRoot(), 'site');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** In a checkout (codegen/ present), (re)builds site/ when it is missing or stale; returns the folder to serve. */
export async function ensureSite(log: (line: string) => void, rebuild = false): Promise<string> {
  const root = packageRoot();
  const dir = siteDir();
  const built = path.join(dir, 'index.html');
  const checkout = fs.existsSync(path.join(root, 'codegen', 'site', 'build-site.ts'));
  if (!checkout) {
    if (!fs.existsSync(built)) throw new CliError(`${dir} is missing: this package was packed without the site (run npm run docs before npm pack)`);
    return dir;
  }
  const sources = Math.max(...['schemas', 'generated', path.join('codegen', 'site')].map((d) => newestMtime(path.join(root, d))));
  if (!rebuild && fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return dir;
  log(`building the site into ${dir} …`);
  let builder: typeof import('../../../codegen/site/build-site.js');
  try {
    builder = await import('../../../codegen/site/build-site.js');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new CliError('building the site needs the dev dependencies and a build: npm ci, then npx lark-events docs');
    throw err;
  }
  try {
    await builder.buildSite(dir);
  } catch (err) {
    if (err instanceof builder.SiteBuildError) throw new CliError(err.message, 1);
    throw err;
  }
  return dir;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535: ${value}`);
  return port;
}

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('serve the browsable catalog (search, field trees, examples, a payload validator) on 127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 4780)
    .option('--rebuild', 'rebuild the site first (in a checkout)')
    .action(async (opts: { port: number; rebuild?: boolean }) => {
      const dir = await ensureSite((line) => process.stderr.write(`${line}\n`), opts.rebuild ?? false);
      let running: SiteServer;
      try {
        running = await serveSite(dir, { port: opts.port });
      } catch (err) {
        throw new CliError(`cannot listen on 127.0.0.1:${opts.port}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      process.stdout.write(`The catalog is at ${running.url} (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => { void running.close().then(resolve); }));
    });
}
