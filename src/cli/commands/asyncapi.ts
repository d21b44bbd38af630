import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { CliError, print } from '../io.js';
import { packageRoot } from '../../util/package-root.js';
import { unescapeToken } from '../../util/json-pointer.js';

/** The part of an AsyncAPI document this command reads and rewrites. */
export interface AsyncApiDocument {
  channels: Record<string, { messages?: Record<string, unknown> } & Record<string, unknown>>;
  operations: Record<string, { messages?: Array<{ $ref: string }>; reply?: { messages?: Array<{ $ref: string }> } } & Record<string, unknown>>;
  components: {
    schemas: Record<string, unknown>;
    messages: Record<string, { 'x-lark'?: { domain?: string } } & Record<string, unknown>>;
  } & Record<string, unknown>;
  info: Record<string, unknown>;
}

/** Shipped in the package (package.json "files"), written by `npm run generate`. */
export const asyncApiPath = (): string => path.join(packageRoot(), 'generated', 'asyncapi.json');

export function readAsyncApi(file = asyncApiPath()): AsyncApiDocument {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as AsyncApiDocument;
  } catch (err) {
    throw new CliError(`${file}: cannot read the AsyncAPI document (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); in a checkout, run npm run generate`);
  }
}

export function domainsOf(doc: AsyncApiDocument): string[] {
  const set = new Set<string>();
  for (const m of Object.values(doc.components.messages)) if (m['x-lark']?.domain) set.add(m['x-lark'].domain);
  return [...set].sort();
}

const lastToken = (ref: string): string => unescapeToken(ref.split('/').pop() ?? '');

function collectRefs(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) for (const n of node) collectRefs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) out.add(lastToken(v));
      else collectRefs(v, out);
    }
  }
}

/**
 * The document restricted to one domain: its messages (and their answers), the operations that still
 * have messages, and the component schemas those messages reach.
 */
export function filterAsyncApi(doc: AsyncApiDocument, domain: string): AsyncApiDocument {
  const known = domainsOf(doc);
  if (!known.includes(domain)) throw new CliError(`--domain ${domain}: no such domain; one of: ${known.join(', ')}`);
  const messages = Object.fromEntries(Object.entries(doc.components.messages).filter(([, m]) => m['x-lark']?.domain === domain));
  const keep = (ref: { $ref: string }): boolean => lastToken(ref.$ref) in messages;
  const channels = Object.fromEntries(Object.entries(doc.channels)
    .map(([name, c]) => [name, { ...c, messages: Object.fromEntries(Object.entries(c.messages ?? {}).filter(([key]) => key in messages)) }] as const)
    .filter(([, c]) => Object.keys(c.messages).length > 0));
  const operations: AsyncApiDocument['operations'] = {};
  for (const [name, op] of Object.entries(doc.operations)) {
    const kept = (op.messages ?? []).filter(keep);
    if (kept.length) operations[name] = { ...op, messages: kept };
  }
  const reachable = new Set<string>();
  collectRefs(messages, reachable);
  const schemas = doc.components.schemas;
  for (const queue = [...reachable]; queue.length;) {
    const found = new Set<string>();
    collectRefs(schemas[queue.pop() ?? ''], found);
    for (const name of found) if (!reachable.has(name)) { reachable.add(name); queue.push(name); }
  }
  return {
    ...doc,
    info: { ...doc.info, title: `${String(doc.info.title)}: ${domain}`, tags: [{ name: domain }] },
    channels,
    operations,
    components: {
      ...doc.components,
      schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => reachable.has(name))),
      messages,
    },
  };
}

export function registerAsyncApi(program: Command): void {
  program
    .command('asyncapi')
    .description('print the AsyncAPI 3.0 document of the catalog (webhook and long-connection channels, one message per event)')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('--domain <domain>', 'only the events of one domain (e.g. im, contact, callback, v1)')
    .action((opts: { format: string; domain?: string }) => {
      if (opts.format !== 'yaml' && opts.format !== 'json') throw new CliError(`--format ${opts.format}: expected yaml or json`);
      const full = readAsyncApi();
      const doc = opts.domain === undefined ? full : filterAsyncApi(full, opts.domain);
      // aliasDuplicateObjects off: the examples share no objects, but YAML anchors would confuse readers.
      print(opts.format === 'json' ? JSON.stringify(doc, null, 2) : stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }));
    });
}
