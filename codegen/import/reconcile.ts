/** Makes the field tree agree with the page's own example where the table is silent or wrong:
 * fields the example shows but the table lacks are added (types inferred from the values),
 * enums the example contradicts are opened, constraints it violates are dropped. Each change is
 * reported, so the page can be fixed upstream. */

import type { FieldNode } from './field-tree.js';
import type { DocType } from './field-types.js';
import type { Problem } from './parse-page.js';
import { parseDescription } from './rules.js';

function inferType(v: unknown): DocType {
  if (typeof v === 'string') return { kind: 'scalar', scalar: 'string', raw: 'string' };
  if (typeof v === 'boolean') return { kind: 'scalar', scalar: 'boolean', raw: 'boolean' };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'scalar', scalar: 'integer', raw: 'int' } : { kind: 'scalar', scalar: 'number', raw: 'float' };
  if (Array.isArray(v)) {
    const first = v.find((x) => x !== null && x !== undefined);
    const item = first === undefined ? ({ kind: 'any', raw: 'any' } as DocType) : inferType(first);
    return { kind: 'array', item, raw: `${item.raw}[]` };
  }
  if (v && typeof v === 'object') return { kind: 'object', name: null, raw: 'object' };
  return { kind: 'any', raw: 'any' };
}

function inferNode(name: string, values: unknown[], line: number): FieldNode {
  const first = values.find((x) => x !== null && x !== undefined);
  const type = inferType(first);
  const node: FieldNode = {
    name,
    rawType: type.raw,
    type,
    rules: parseDescription('Not in the field table; inferred from the page\'s example.'),
    line,
    children: [],
  };
  const objects = values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v));
  if (objects.length > 0 && (type.kind === 'object' || (type.kind === 'array' && type.item.kind === 'object'))) {
    const keys: string[] = [];
    for (const o of objects) for (const k of Object.keys(o)) if (!keys.includes(k)) keys.push(k);
    node.children = keys.map((k) => inferNode(k, objects.filter((o) => k in o).map((o) => o[k]), line));
  }
  return node;
}

function valuesAt(parents: unknown[], name: string): unknown[] {
  const out: unknown[] = [];
  for (const p of parents) {
    if (p && typeof p === 'object' && !Array.isArray(p) && Object.prototype.hasOwnProperty.call(p, name)) {
      out.push((p as Record<string, unknown>)[name]);
    }
  }
  return out;
}

function leafValues(values: unknown[], isArray: boolean): unknown[] {
  return isArray ? values.flatMap((v) => (Array.isArray(v) ? v : [])) : values;
}

function checkLeaf(n: FieldNode, values: unknown[], page: string, problems: Problem[]): void {
  const isArray = n.type.kind === 'array';
  const leaves = leafValues(values, isArray).filter((v) => v !== null && v !== undefined);
  if (n.rules.enumItems.length > 0 && !n.rules.enumOpen) {
    const allowed = new Set(n.rules.enumItems.map((e) => e.value));
    const bad = [...new Set(leaves.map(String).filter((v) => !allowed.has(v)))];
    if (bad.length > 0) {
      // The example is the stronger evidence: its values join the documented ones.
      for (const v of bad) n.rules.enumItems.push({ value: v, label: '' });
      // "app/user" is likely the docs' shorthand for "app or user"; it is accepted all the same,
      // since every official example must validate, and said so.
      const shorthand = bad.filter((v) => v.includes('/') && v.split('/').every((p) => allowed.has(p)));
      const note = `An official example sends ${bad.map((v) => JSON.stringify(v)).join(', ')}, which the field table does not list; accepted${shorthand.length > 0 ? ` (${shorthand.map((v) => JSON.stringify(v)).join(', ')} may be the docs' shorthand for one of its parts)` : ''}.`;
      n.annotations = { ...(n.annotations ?? {}), 'x-lark-note': typeof n.annotations?.['x-lark-note'] === 'string' ? `${n.annotations['x-lark-note']} ${note}` : note };
      problems.push({ page, line: n.line, message: `${n.name}: the example's value ${JSON.stringify(bad[0])} is not among the documented values; added to the enum`, severity: 'warning' });
    }
  }
  const c = n.rules.constraints;
  for (const v of isArray ? values.filter(Array.isArray) : leaves) {
    const len = Array.isArray(v) ? v.length : typeof v === 'string' ? [...v].length : null;
    if (len === null) continue;
    if (c.minLength !== undefined && len < c.minLength) {
      problems.push({ page, line: n.line, message: `${n.name}: the example violates the documented minimum length ${c.minLength}; rule dropped`, severity: 'warning' });
      delete c.minLength;
    }
    if (c.maxLength !== undefined && len > c.maxLength) {
      problems.push({ page, line: n.line, message: `${n.name}: the example violates the documented maximum length ${c.maxLength}; rule dropped`, severity: 'warning' });
      delete c.maxLength;
    }
  }
}

function walk(children: FieldNode[], parents: unknown[], page: string, problems: Problem[], parentLine: number): void {
  const objects = parents.filter((p): p is Record<string, unknown> => !!p && typeof p === 'object' && !Array.isArray(p));
  if (objects.length === 0) return;
  for (const n of children) {
    const values = valuesAt(objects, n.name);
    if (values.length === 0) continue;
    if (n.children.length > 0) {
      walk(n.children, values.flatMap((v) => (Array.isArray(v) ? v : [v])), page, problems, n.line);
    } else {
      checkLeaf(n, values, page, problems);
    }
  }
  const known = new Set(children.map((c) => c.name));
  for (const o of objects) {
    for (const k of Object.keys(o)) {
      if (known.has(k)) continue;
      known.add(k);
      const node = inferNode(k, valuesAt(objects, k), parentLine);
      children.push(node);
      problems.push({ page, line: parentLine, message: `the example has ${k} (${node.type.raw}), which the field table does not list; added from the example`, severity: 'warning' });
    }
  }
}

/** Reconciles the event body (`event`) of the tree with the example. */
export function reconcileWithExample(tree: FieldNode[], example: unknown, page: string, problems: Problem[]): void {
  const event = tree.find((n) => n.name === 'event');
  if (!event || !example || typeof example !== 'object') return;
  walk(event.children, valuesAt([example], 'event'), page, problems, event.line);
}
