import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMessageContent, isShared, loadSchemas } from '../../codegen/load.js';
import type { LoadedSchema } from '../../codegen/load.js';
import { isObject, type Json } from '../../codegen/schema-file.js';
import { refTarget } from '../../codegen/normalize.js';
import { validate } from '../../src/index.js';
import { repo } from '../helpers.js';

const schemas = loadSchemas(path.join(repo, 'schemas'));
const byId = new Map(schemas.map((s) => [s.id, s]));
const events = schemas.filter((s) => !isShared(s) && !isMessageContent(s));

interface Leaf {
  pointer: string;
  value: string | number | boolean;
  schema: Record<string, Json>;
  /** The sources disagreed on this field (an x-lark-note on it): a type it does not allow is drift, not a contradiction. */
  noted: boolean;
}

function resolve(node: Json, from: LoadedSchema): [Json, LoadedSchema] {
  if (isObject(node) && typeof node.$ref === 'string') {
    const { schema, definition } = refTarget(node.$ref, from, byId);
    const target = definition && isObject(schema.json.definitions) ? schema.json.definitions[definition] : schema.json;
    return resolve(target ?? {}, schema);
  }
  return [node, from];
}

/** Scalar leaves of an example with the (resolved) schema that governs each; ambiguous unions are skipped. */
function leaves(value: unknown, node: Json, from: LoadedSchema, pointer = '', out: Leaf[] = []): Leaf[] {
  const noted = isObject(node) && typeof node['x-lark-note'] === 'string';
  const [schema, file] = resolve(node, from);
  if (!isObject(schema) || schema.oneOf || schema.anyOf) return out;
  if (Array.isArray(value)) {
    if (schema.items !== undefined && !Array.isArray(schema.items)) value.forEach((v, i) => leaves(v, schema.items as Json, file, `${pointer}/${i}`, out));
  } else if (value !== null && typeof value === 'object') {
    const props = isObject(schema.properties) ? schema.properties : {};
    for (const [k, v] of Object.entries(value)) {
      const child = props[k] ?? (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (child !== undefined) leaves(v, child, file, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.push({ pointer, value, schema, noted: noted || typeof schema['x-lark-note'] === 'string' });
  }
  return out;
}

/** The envelope and routing fields: anything wrong there is a contradiction, whatever the schema's evidence. */
const ENVELOPE = new Set(['/schema', '/header', '/event', '/header/event_id', '/header/event_type', '/header/create_time', '/header/token', '/header/app_id', '/uuid', '/token', '/ts', '/type']);

/** Mutating these changes how a payload is routed, not whether its event validates. */
const ROUTING = new Set(['/schema', '/header/event_type', '/event/type']);

function setAt(root: unknown, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop() as string;
  let cur = root as Record<string, unknown>;
  for (const k of keys) cur = cur[k] as Record<string, unknown>;
  cur[last] = value;
}

function typeSwap(leaf: Leaf): unknown {
  const types = Array.isArray(leaf.schema.type) ? leaf.schema.type.map(String) : [String(leaf.schema.type)];
  const allows = (t: string) => types.includes(t) || (t === 'number' && types.includes('integer'));
  if (typeof leaf.value === 'string') return allows('number') ? true : 12345;
  if (typeof leaf.value === 'number') return allows('string') ? true : String(leaf.value);
  return allows('string') ? 1 : String(leaf.value);
}

describe.each(events.map((s) => [s.rel, s] as const))('%s', (_rel, schema) => {
  const examples = (schema.json.examples ?? []) as unknown[];

  it('has examples that validate in strict mode', async () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const ex of examples) {
      const r = await validate(ex, { strict: true });
      expect(r.errors).toEqual([]);
      expect(r.eventType).toBe((schema.json['x-lark'] as { event_type: string }).event_type);
    }
  });

  it('rejects each leaf with the wrong wire type (a contradiction where the evidence is unanimous) and an out-of-enum value (drift, rejected in strict mode), naming its pointer', async () => {
    const example = examples[0];
    const all = leaves(example, schema.json, schema).filter((l) => !ROUTING.has(l.pointer) && l.schema.type !== undefined);
    expect(all.length).toBeGreaterThan(0);
    const misses: string[] = [];
    for (const leaf of all) {
      const envelope = ENVELOPE.has(leaf.pointer);
      const mutations: Array<[unknown, 'contradiction' | 'drift']> = [[typeSwap(leaf), leaf.noted && !envelope ? 'drift' : 'contradiction']];
      if (Array.isArray(leaf.schema.enum) || leaf.schema.const !== undefined) mutations.push([typeof leaf.value === 'number' ? 987654 : typeof leaf.value === 'string' ? '__not_in_enum__' : !leaf.value, envelope ? 'contradiction' : 'drift']);
      for (const [mutated, cls] of mutations) {
        const copy = structuredClone(example);
        setAt(copy, leaf.pointer, mutated);
        const lenient = await validate(copy);
        const strict = await validate(copy, { strict: true });
        const named = (issues: readonly { pointer: string; class: string }[] | undefined) => (issues ?? []).some((e) => e.pointer === leaf.pointer && e.class === cls);
        // A contradiction is an error in every mode; drift only in strict mode, and is reported apart otherwise.
        const ok = cls === 'contradiction'
          ? !lenient.valid && named(lenient.errors) && !strict.valid && named(strict.errors)
          : named(lenient.drift) && !strict.valid && named(strict.errors);
        if (!ok) misses.push(`${leaf.pointer} = ${JSON.stringify(mutated)} (${cls})`);
      }
    }
    expect(misses).toEqual([]);
  });
});
