import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { findEntry } from '../../catalog.js';
import { isRecord } from '../../runtime/delivery.js';
import { CliError, print } from '../io.js';
import { schemasRoot } from '../../util/package-root.js';

type Node = unknown;

function readSchema(file: string): Record<string, unknown> {
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!isRecord(value)) throw new CliError(`${file}: not a schema object`);
  return value;
}

/**
 * Inlines the shared schemas an event schema refers to (../common/*.json) as definitions, so the
 * printed schema stands alone: every $ref is local.
 */
export function bundleSchema(eventFile: string): Record<string, unknown> {
  const root = readSchema(eventFile);
  const definitions: Record<string, unknown> = {};
  const external = new Map<string, string>();
  const merged = new Set<string>();
  const rewrite = (node: Node, baseFile: string): Node => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, baseFile));
    if (!isRecord(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) {
        const [rel = '', fragment = ''] = v.split('#');
        const target = path.resolve(path.dirname(baseFile), rel);
        const defMatch = /^\/definitions\/([^/]+)$/.exec(fragment);
        if (defMatch) {
          // A file of shared definitions: its definitions join ours (titles are unique catalog-wide).
          if (!merged.has(target)) {
            merged.add(target);
            const schema = readSchema(target);
            for (const [key, def] of Object.entries(isRecord(schema.definitions) ? schema.definitions : {})) definitions[key] = rewrite(def, target);
          }
          out.$ref = `#/definitions/${defMatch[1]}`;
          continue;
        }
        let name = external.get(target);
        if (!name) {
          const schema = readSchema(target);
          name = typeof schema.title === 'string' ? schema.title : path.basename(target, '.json');
          external.set(target, name);
          const { $schema: _s, $id: _i, examples: _e, ...rest } = schema;
          definitions[name] = rewrite(rest, target);
        }
        out.$ref = `#/definitions/${name}`;
      } else out[k] = k === 'examples' || k === 'enum' || k === 'const' ? v : rewrite(v, baseFile);
    }
    return out;
  };
  const bundled = rewrite(root, eventFile) as Record<string, unknown>;
  bundled.definitions = { ...(isRecord(bundled.definitions) ? bundled.definitions : {}), ...definitions };
  return bundled;
}

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description("print an event's JSON Schema, self-contained (no external $ref)")
    .argument('<event_type>', 'e.g. im.message.receive_v1, or a v1 key such as message')
    .action((eventType: string) => {
      const entry = findEntry(eventType);
      if (!entry) throw new CliError(`unknown event type "${eventType}" (see: lark-events list)`);
      const file = path.join(schemasRoot(), entry.domain, `${entry.eventType}.json`);
      print(JSON.stringify(bundleSchema(file), null, 2));
    });
}
