import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { domainOf, readCatalog } from '../../codegen/catalog.js';
import { repo } from '../helpers.js';

const bin = path.join(repo, 'bin', 'lark-events.js');
const rows = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'));
const full = JSON.parse(fs.readFileSync(path.join(repo, 'generated', 'asyncapi.json'), 'utf8')) as Doc;

interface Doc {
  channels: Record<string, { messages: Record<string, unknown> }>;
  operations: Record<string, { messages: Array<{ $ref: string }> }>;
  components: { schemas: Record<string, unknown>; messages: Record<string, { 'x-lark': { domain: string } }> };
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('lark-events asyncapi', () => {
  it('--format json prints the shipped document', async () => {
    const r = await run(['asyncapi', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(full);
  });

  it('prints YAML by default, with the same content', async () => {
    const r = await run(['asyncapi']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('asyncapi: 3.0.0\n')).toBe(true);
    expect(parseYaml(r.stdout, { maxAliasCount: -1 })).toEqual(full);
  });

  it('--domain im keeps the im events only, and the result still parses with no errors', async () => {
    const r = await run(['asyncapi', '--format', 'yaml', '--domain', 'im']);
    expect(r.code).toBe(0);
    const doc = parseYaml(r.stdout) as Doc;
    const im = rows.filter((row) => domainOf(row.eventType, row.kind) === 'im').map((row) => row.eventType).sort();
    expect(Object.keys(doc.components.messages).sort()).toEqual(im);
    expect(Object.keys(doc.channels.webhook?.messages ?? {}).sort()).toEqual(im);
    expect(Object.keys(doc.channels)).not.toContain('webhookResponse');
    for (const op of Object.values(doc.operations)) for (const m of op.messages) expect(im).toContain(decodeURIComponent(m.$ref.split('/').pop() ?? ''));
    // Only the schemas the im messages reach are kept: fewer than the whole catalog, and none of another domain.
    expect(Object.keys(doc.components.schemas).length).toBeLessThan(Object.keys(full.components.schemas).length);
    expect(Object.keys(doc.components.schemas).some((n) => n.startsWith('P2Contact'))).toBe(false);
    const { diagnostics } = await new Parser().parse(r.stdout);
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('/')}: ${d.message}`)).toEqual([]);
  }, 120_000);

  it('--domain callback keeps both callbacks with their replies', async () => {
    const r = await run(['asyncapi', '--format', 'json', '--domain', 'callback']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    const callbacks = rows.filter((row) => row.kind === 'callback').map((row) => row.eventType);
    expect(Object.keys(doc.channels.webhookResponse?.messages ?? {}).sort()).toEqual(callbacks.map((e) => `${e}.response`).sort());
    expect(Object.keys(doc.operations).length).toBe(callbacks.length * 2);
  });

  it('rejects an unknown domain or format with exit 2, naming it, and no stack trace', async () => {
    const domain = await run(['asyncapi', '--domain', 'nope']);
    expect(domain.code).toBe(2);
    expect(domain.stderr).toContain('--domain nope: no such domain; one of: ');
    expect(domain.stderr).toContain(' im,');
    const format = await run(['asyncapi', '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format xml: expected yaml or json');
    expect(domain.stderr + format.stderr).not.toMatch(/\n\s+at /);
    expect(domain.stdout + format.stdout).toBe('');
  });
});

describe('the catalog outside TypeScript', () => {
  it('the package ships the AsyncAPI document and every schema with its examples', async () => {
    const r = await new Promise<string>((resolve, reject) => {
      const child = spawn('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    const files = new Set((JSON.parse(r) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path));
    expect(files.has('generated/asyncapi.json')).toBe(true);
    expect(files.has('schemas/catalog.tsv')).toBe(true);
    for (const row of rows) {
      const dir = domainOf(row.eventType, row.kind);
      expect(files.has(`schemas/${dir}/${row.eventType}.json`), row.eventType).toBe(true);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./asyncapi.json']).toBe('./generated/asyncapi.json');
    expect(pkg.exports['./schemas/*']).toBe('./schemas/*');
  }, 60_000);
});
