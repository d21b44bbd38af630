import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../codegen/catalog.js';
import { serveSite } from '../../src/cli/commands/docs.js';
import type { SiteServer } from '../../src/cli/commands/docs.js';
import { repo, tmpDir } from '../helpers.js';

const bin = path.join(repo, 'bin', 'lark-events.js');
const dir = tmpDir('docs');
let site: SiteServer;

/** A raw GET (no URL normalisation by the client, so that ../ reaches the server as sent). */
function get(url: string, rawPath: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    http.get({ hostname, port, path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

beforeAll(async () => {
  fs.mkdirSync(path.join(dir, 'site', 'data'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'site', 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(dir, 'site', 'data', 'index.json'), '{"ok":true}');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the site');
  site = await serveSite(path.join(dir, 'site'), { port: 0 });
});
afterAll(() => site.close());

describe('lark-events docs: the static server', () => {
  it('listens on 127.0.0.1 and serves files with their content type', async () => {
    expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(site.url, '/');
    expect([index.status, index.type]).toEqual([200, 'text/html; charset=utf-8']);
    const data = await get(site.url, '/data/index.json');
    expect([data.status, data.type, data.body]).toEqual([200, 'application/json; charset=utf-8', '{"ok":true}']);
  });

  it('answers 404 for missing files and for paths that leave the site', async () => {
    expect((await get(site.url, '/nope.js')).status).toBe(404);
    const escape = await get(site.url, '/../secret.txt');
    expect(escape.status).toBe(404);
    expect((await get(site.url, '/%2e%2e/secret.txt')).body).not.toContain('outside');
  });

  it('rejects a bad --port with exit 2 and a message, before building anything', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'docs', '--port', 'eighty'], { cwd: repo });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port must be an integer from 0 to 65535: eighty');
  });

  it('in a checkout, builds the site when needed and serves it until Ctrl-C', async () => {
    const child = spawn(process.execPath, [bin, 'docs', '--port', '0'], { cwd: repo });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /The catalog is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.on('close', (code) => reject(new Error(`exited ${String(code)} before serving: ${out}`)));
    });
    const index = JSON.parse((await get(url, '/data/index.json')).body) as { events: Array<{ e: string }> };
    const rows = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'));
    expect(index.events.map((e) => e.e).sort()).toEqual(rows.map((r) => r.eventType).sort());
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
  }, 60_000);
});
