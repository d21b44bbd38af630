/**
 * The import graph of src/, generated/ and codegen/ has no circle and no arrow pointing up a layer
 * (ARCHITECTURE.md). Imports are read with TypeScript's own pre-processor, so every static import,
 * re-export and dynamic import counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repo } from '../helpers.js';

const ROOTS = ['src', 'generated', 'codegen'];

function files(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) files(rel, out);
    else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** A relative specifier's target file, repository-relative, or undefined for packages. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, `${base}/index.ts`];
  const hit = candidates.find((c) => fs.existsSync(path.join(repo, c)) && fs.statSync(path.join(repo, c)).isFile());
  if (!hit) throw new Error(`${from}: cannot resolve "${spec}"`);
  return hit;
}

const all = ROOTS.flatMap((r) => files(r)).sort();
const graph = new Map<string, string[]>();
for (const file of all) {
  const info = ts.preProcessFile(fs.readFileSync(path.join(repo, file), 'utf8'), true, true);
  const targets = info.importedFiles.map((f) => resolve(file, f.fileName)).filter((t): t is string => t !== undefined);
  graph.set(file, [...new Set(targets)]);
}

/**
 * Layers, lowest first; a file may import its own layer and the layers below it. `src/util` is
 * the leaf every layer (codegen too) may use. Generated code binds catalog rows to the runtime,
 * so it sits above it; src/catalog.ts, validate.ts and index.ts bind generated code to the
 * runtime for the package root.
 */
const LAYERS: Array<[name: string, test: (f: string) => boolean]> = [
  ['util', (f) => f.startsWith('src/util/')],
  ['runtime', (f) => f.startsWith('src/runtime/')],
  // src/content reads the generated content validators and is re-exported by the generated im entry.
  ['generated', (f) => f.startsWith('generated/') || f.startsWith('src/content/')],
  ['core', (f) => /^src\/[^/]+\.ts$/.test(f)],
  ['transport', (f) => f.startsWith('src/transport/')],
  // The durable inbox decorates a dispatcher for the transports; only the CLI and its entry import it.
  ['inbox', (f) => f.startsWith('src/inbox/')],
  ['emulator', (f) => f.startsWith('src/emulator/')],
  ['cli', (f) => f.startsWith('src/cli/')],
  ['entries', (f) => f.startsWith('src/entries/')],
];
const layerOf = (f: string): number => LAYERS.findIndex(([, t]) => t(f));
const transportOf = (f: string): string | undefined => /^src\/transport\/([^/]+)\//.exec(f)?.[1];

function violations(): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (from.startsWith('codegen/')) {
        // codegen reads schemas and writes generated/: of the rest it may use only the leaf utilities.
        if (!to.startsWith('codegen/') && layerOf(to) !== 0) out.push(`${from} → ${to}: codegen may import only src/util from src`);
        continue;
      }
      if (to.startsWith('codegen/')) {
        // The CLI, the top layer, runs the pipeline (`lark-events codegen` / `import`); nothing else may.
        if (!from.startsWith('src/cli/')) out.push(`${from} → ${to}: only the CLI imports codegen`);
        continue;
      }
      const a = layerOf(from);
      const b = layerOf(to);
      if (a === -1 || b === -1) out.push(`${from} → ${to}: file outside every layer`);
      else if (a === 0 && b !== 0) out.push(`${from} → ${to}: src/util is a leaf`);
      else if (b > a) out.push(`${from} → ${to}: ${LAYERS[a]![0]} imports ${LAYERS[b]![0]}, a layer above it`);
      const ta = transportOf(from);
      const tb = transportOf(to);
      if (ta && tb && ta !== tb) out.push(`${from} → ${to}: one transport imports the other`);
    }
  }
  return out;
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
function circles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found.sort((x, y) => x[0]!.localeCompare(y[0]!));
}

/**
 * The one circle known today, inside the importer (issue 11 §5: field-tree.ts ↔ to-schema.ts);
 * another change is removing it. Once it is gone this list must be emptied.
 */
const KNOWN_CIRCLES = [['codegen/import/field-tree.ts', 'codegen/import/to-schema.ts']];

/** Known upward arrows, each to be removed by the change that owns its files. */
const KNOWN_UPWARD = [
  // The site's browser bundle runs the runtime's validation and its types, as the package does.
  'codegen/site/client/app.ts → src/runtime/catalog-types.ts',
  'codegen/site/client/app.ts → src/runtime/validation.ts',
];

describe('import graph of src/, generated/ and codegen/', () => {
  it('reads every import (sanity: the graph has the files and edges it must have)', () => {
    expect(graph.get('src/transport/webhook/receiver.ts')).toContain('src/runtime/delivery.ts');
    expect(graph.get('codegen/paths.ts')).toContain('src/util/package-root.ts');
    expect(all.filter((f) => f.startsWith('src/')).every((f) => layerOf(f) !== -1)).toBe(true);
  });

  it('has no import pointing up a layer, and no transport importing the other (besides KNOWN_UPWARD)', () => {
    expect(violations().filter((v) => !KNOWN_UPWARD.some((k) => v.startsWith(k)))).toEqual([]);
  });

  it('has no import circle (besides the known one in the importer, see KNOWN_CIRCLES)', () => {
    const known = new Set(KNOWN_CIRCLES.map((c) => c.join(' ')));
    expect(circles().filter((c) => !known.has(c.join(' ')))).toEqual([]);
  });

  it('the checks can fail: an upward import and a circle are found in a doctored graph', () => {
    const saved = new Map(graph);
    try {
      graph.set('src/runtime/delivery.ts', [...(graph.get('src/runtime/delivery.ts') ?? []), 'src/transport/webhook/utf8.ts']);
      graph.set('src/util/package-root.ts', ['src/util/json-error-location.ts']);
      graph.set('src/util/json-error-location.ts', ['src/util/package-root.ts']);
      expect(violations()).toContain('src/runtime/delivery.ts → src/transport/webhook/utf8.ts: runtime imports transport, a layer above it');
      expect(circles()).toContainEqual(['src/util/json-error-location.ts', 'src/util/package-root.ts']);
    } finally {
      graph.clear();
      for (const [k, v] of saved) graph.set(k, v);
    }
  });
});
