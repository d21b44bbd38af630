/** For v1 pages that document no fields (historic pages, "回调示例" only): the handler typings of
 * the official Node SDK (`@larksuiteoapi/node-sdk`, a devDependency). Its v1 `data` type is flat:
 * envelope fields (ts, uuid, token, type) next to the event's fields. */

import { existsSync, readFileSync } from 'node:fs';
import { parseDocType } from './field-types.js';
import type { FieldNode } from './field-tree.js';
import { parseDescription } from './rules.js';

export const SDK_TYPINGS = 'node_modules/@larksuiteoapi/node-sdk/types/index.d.ts';
const ENVELOPE = new Set(['ts', 'uuid', 'token', 'type']);

let cached: { path: string; lines: string[] } | null = null;

function typingsLines(path: string): string[] | null {
  if (cached && cached.path === path) return cached.lines;
  if (!existsSync(path)) return null;
  cached = { path, lines: readFileSync(path, 'utf8').split('\n') };
  return cached.lines;
}

function node(name: string, type: string, line: number, children: FieldNode[] = []): FieldNode {
  const t = parseDocType(type) ?? { kind: 'any' as const, raw: type };
  return { name, rawType: type, type: t, rules: parseDescription(''), line, children };
}

const SCALAR: Record<string, string> = { string: 'string', number: 'number', boolean: 'boolean' };

/** Parses `{ name: type; … }` member lines starting at `start` (after the opening brace). */
function parseMembers(lines: string[], start: number): { nodes: FieldNode[]; end: number } {
  const nodes: FieldNode[] = [];
  let i = start;
  while (i < lines.length) {
    const l = (lines[i] ?? '').trim();
    if (l.startsWith('}')) return { nodes, end: i };
    const m = /^"?([A-Za-z_$][\w$]*)"?\??:\s*(.*)$/.exec(l);
    if (!m || m[1] === undefined) { i++; continue; }
    const name = m[1];
    const rest = (m[2] ?? '').replace(/;$/, '').trim();
    if (rest === '{' || rest === 'Array<{') {
      const inner = parseMembers(lines, i + 1);
      const closing = (lines[inner.end] ?? '').trim();
      const isArray = rest === 'Array<{' || closing.startsWith('}[]');
      nodes.push(node(name, isArray ? 'object[]' : 'object', i + 1, inner.nodes));
      i = inner.end + 1;
      continue;
    }
    const arr = /^(?:Array<(\w+)>|(\w+)\[\])$/.exec(rest);
    if (arr) nodes.push(node(name, `${SCALAR[arr[1] ?? arr[2] ?? ''] ?? 'any'}[]`, i + 1));
    else nodes.push(node(name, SCALAR[rest] ?? 'any', i + 1));
    i++;
  }
  return { nodes, end: i };
}

/** The field tree (`event` holding the body) of a v1 key from the SDK typings, or null. */
export function sdkV1Tree(key: string, typingsPath: string = SDK_TYPINGS): FieldNode[] | null {
  const lines = typingsLines(typingsPath);
  if (!lines) return null;
  const head = new RegExp(`^\\s+"?${key.replace(/[.$]/g, '\\$&')}"?\\?: \\(data: \\{$`);
  const at = lines.findIndex((l) => head.test(l));
  if (at < 0) return null;
  const { nodes } = parseMembers(lines, at + 1);
  const event = node('event', 'object', at + 1, nodes.filter((n) => !ENVELOPE.has(n.name)));
  return [...nodes.filter((n) => ENVELOPE.has(n.name) && n.name !== 'type'), event];
}
