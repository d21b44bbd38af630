/** Field-table rows → a tree of fields. Markdown rows carry their depth (`&nbsp;` ×2 per level);
 * plain-text rows only say `└ name`, so their depth is reconstructed. */

import { parseDocType, isObjectLike, objectTypeName, type DocType } from './field-types.js';
import { parseDescription, type FieldRules } from './rules.js';
import type { FieldTable, Problem, TableRow } from './parse-page.js';
import type { Json } from '../schema-file.js';

export interface FieldNode {
  name: string;
  rawType: string;
  type: DocType;
  rules: FieldRules;
  line: number;
  children: FieldNode[];
  /** `x-lark-*` annotations for the field's schema (e.g. `x-lark-source`, `x-lark-note`). */
  annotations?: { [key: string]: Json };
}

interface RowInfo {
  depth: number;
  nested: boolean;
  name: string;
  rawType: string;
  type: DocType;
  desc: string;
  line: number;
}

const NAME_RE = /^[A-Za-z_$@][\w.$@-]*$/;

function parseRow(row: TableRow, table: FieldTable, page: string, problems: Problem[]): RowInfo | null {
  const nameCell = row.cells[table.nameCol];
  const typeCell = row.cells[table.typeCol];
  const descCell = row.cells[table.descCol];
  const width = Math.max(table.nameCol, table.typeCol, table.descCol) + 1;
  if (nameCell === undefined || typeCell === undefined || row.cells.length < width) {
    problems.push({ page, line: row.line, message: `table row has ${row.cells.length} cells, expected ${width}: ${row.raw.trim().slice(0, 80)}`, severity: 'error' });
    return null;
  }
  // Two indentation styles: `&nbsp;&nbsp;└` (2 per level) and `&emsp;∟` (1 per level).
  const nbsp = (nameCell.match(/&nbsp;/g) ?? []).length;
  const emsp = (nameCell.match(/&emsp;/g) ?? []).length;
  const nested = nameCell.includes('└') || nameCell.includes('∟');
  const name = nameCell.replace(/&nbsp;|&emsp;/g, '').replace(/[└∟]/g, '').replace(/`/g, '').replace(/\\_/g, '_').trim();
  if (!NAME_RE.test(name)) {
    problems.push({ page, line: row.line, message: `cannot read the field name "${name}"`, severity: 'error' });
    return null;
  }
  const type = parseDocType(typeCell);
  if (!type) {
    problems.push({ page, line: row.line, message: `unknown field type "${typeCell}" for ${name}`, severity: 'error' });
    return null;
  }
  if (nbsp % 2 !== 0) problems.push({ page, line: row.line, message: `odd indentation (${nbsp} &nbsp;) for ${name}`, severity: 'warning' });
  const depth = nested ? Math.max(1, Math.round(nbsp / 2) + emsp) : 0;
  return { depth, nested, name, rawType: typeCell, type, desc: descCell ?? '', line: row.line };
}

function toNode(r: RowInfo, page: string, problems: Problem[]): FieldNode {
  const rules = parseDescription(r.desc);
  for (const n of rules.notes) problems.push({ page, line: r.line, message: `${r.name}: ${n}`, severity: 'warning' });
  return { name: r.name, rawType: r.rawType, type: r.type, rules, line: r.line, children: [] };
}

/** Markdown: explicit depth. */
function buildByDepth(rows: RowInfo[], page: string, problems: Problem[]): FieldNode[] {
  const roots: FieldNode[] = [];
  const stack: FieldNode[] = [];
  for (const r of rows) {
    const node = toNode(r, page, problems);
    let depth = r.depth;
    if (depth > stack.length) {
      problems.push({ page, line: r.line, message: `${r.name} is indented ${depth} levels under a row at level ${stack.length - 1}`, severity: 'error' });
      continue;
    }
    stack.length = depth;
    const parent = stack[depth - 1];
    if (depth === 0 || !parent) roots.push(node);
    else parent.children.push(node);
    stack.push(node);
    depth++;
  }
  return roots;
}

/** Shapes every occurrence of a doc type shares, known before the table is read. */
const BUILTIN_CHILDREN: Record<string, string[]> = {
  user_id: ['union_id', 'user_id', 'open_id'],
  event_header: ['event_id', 'event_type', 'create_time', 'token', 'app_id', 'tenant_key'],
};

interface Level {
  node: FieldNode;
  typeName: string | null;
  seen: Set<string>;
  known: Set<string> | null;
}

/** The keys of the example's objects at `path` (array elements merged), or null when absent. */
function exampleKeysAt(example: unknown, path: string[]): Set<string> | null {
  let cur: unknown[] = [example];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v && typeof v === 'object' && !Array.isArray(v) && seg in v) {
        const child = (v as Record<string, unknown>)[seg];
        if (Array.isArray(child)) next.push(...child);
        else next.push(child);
      }
    }
    cur = next;
  }
  const keys = new Set<string>();
  let any = false;
  for (const v of cur) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      any = true;
      for (const k of Object.keys(v)) keys.add(k);
    }
  }
  return any ? keys : null;
}

/** Plain variant: every nested row is `└ name`; place it using the example's shape, the children
 * already seen for the same doc type, and sibling repetition. */
function buildPlain(rows: RowInfo[], page: string, problems: Problem[], example: unknown): FieldNode[] {
  const roots: FieldNode[] = [];
  const registry = new Map<string, Set<string>>();
  for (const [k, v] of Object.entries(BUILTIN_CHILDREN)) registry.set(k, new Set(v));
  const rootSeen = new Set<string>();
  let stack: Level[] = [];
  const pathOf = (depth: number): string[] => stack.slice(0, depth).map((l) => l.node.name);

  const close = (level: Level): void => {
    if (level.typeName && level.seen.size > 0 && !registry.has(level.typeName)) registry.set(level.typeName, new Set(level.seen));
  };
  const open = (node: FieldNode, depth: number): void => {
    if (!isObjectLike(node.type)) return;
    const typeName = objectTypeName(node.type);
    const path = [...pathOf(depth), node.name];
    const fromExample = example === undefined ? null : exampleKeysAt(example, path);
    const fromRegistry = typeName ? registry.get(typeName) ?? null : null;
    let known: Set<string> | null = null;
    if (fromExample || fromRegistry) known = new Set([...(fromExample ?? []), ...(fromRegistry ?? [])]);
    stack.push({ node, typeName, seen: new Set(), known });
  };

  for (const r of rows) {
    const node = toNode(r, page, problems);
    if (!r.nested) {
      stack.forEach(close);
      stack = [];
      if (rootSeen.has(r.name)) problems.push({ page, line: r.line, message: `duplicate top-level field ${r.name}`, severity: 'error' });
      rootSeen.add(r.name);
      roots.push(node);
      open(node, 0);
      continue;
    }
    if (stack.length === 0) {
      problems.push({ page, line: r.line, message: `${r.name} is nested but no object row precedes it`, severity: 'error' });
      continue;
    }
    const top = stack[stack.length - 1] as Level;
    let chosen = -1;
    const ancestorKnows = stack.slice(0, -1).some((l) => l.known?.has(r.name) && !l.seen.has(r.name));
    if (top.seen.size === 0 && !(top.known && !top.known.has(r.name) && ancestorKnows)) {
      chosen = stack.length - 1;
    } else {
      let knownAt = -1;
      let unknownAt = -1;
      for (let i = stack.length - 1; i >= 0; i--) {
        const l = stack[i] as Level;
        if (l.seen.has(r.name)) continue;
        if (l.known?.has(r.name)) { if (knownAt < 0) knownAt = i; }
        else if (!l.known && unknownAt < 0) unknownAt = i;
      }
      if (knownAt >= 0) chosen = knownAt;
      else if (unknownAt >= 0) chosen = unknownAt;
      else {
        for (let i = stack.length - 1; i >= 0; i--) if (!(stack[i] as Level).seen.has(r.name)) { chosen = i; break; }
        if (chosen >= 0) problems.push({ page, line: r.line, message: `placed ${r.name} under ${(stack[chosen] as Level).node.name} although no known shape lists it`, severity: 'warning' });
      }
    }
    if (chosen < 0) {
      problems.push({ page, line: r.line, message: `cannot tell which object ${r.name} belongs to`, severity: 'error' });
      continue;
    }
    for (const l of stack.slice(chosen + 1)) close(l);
    stack = stack.slice(0, chosen + 1);
    const parent = stack[chosen] as Level;
    parent.seen.add(r.name);
    parent.node.children.push(node);
    open(node, chosen + 1);
  }
  stack.forEach(close);
  return roots;
}

export function buildFieldTree(
  table: FieldTable,
  variant: 'markdown' | 'plain',
  page: string,
  problems: Problem[],
  example?: unknown,
): FieldNode[] {
  const rows: RowInfo[] = [];
  for (const row of table.rows) {
    const r = parseRow(row, table, page, problems);
    if (r) rows.push(r);
  }
  const tree = variant === 'plain' ? buildPlain(rows, page, problems, example) : buildByDepth(rows, page, problems);
  fixScalarWithChildren(tree, page, problems);
  return tree;
}

/** `string[]` rows followed by child rows are arrays of objects: the children win, with a warning. */
function fixScalarWithChildren(nodes: FieldNode[], page: string, problems: Problem[]): void {
  for (const n of nodes) {
    if (n.children.length > 0 && !isObjectLike(n.type)) {
      problems.push({ page, line: n.line, message: `${n.name} is typed ${n.type.raw} but has child rows; read as ${n.type.kind === 'array' ? 'an array of objects' : 'an object'}`, severity: 'warning' });
      n.type = n.type.kind === 'array'
        ? { kind: 'array', item: { kind: 'object', name: null, raw: 'object' }, raw: n.type.raw }
        : { kind: 'object', name: null, raw: n.type.raw };
    }
    fixScalarWithChildren(n.children, page, problems);
  }
}

/** Renders a tree as indented text (used by tests and debugging). */
export function renderTree(nodes: FieldNode[], indent = ''): string {
  return nodes.map((n) => `${indent}${n.name}: ${n.type.raw}\n${renderTree(n.children, indent + '  ')}`).join('');
}
