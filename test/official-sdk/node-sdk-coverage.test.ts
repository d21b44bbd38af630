/**
 * Every field the official Node SDK types for an event must exist in our schema with a compatible
 * type. The SDK flattens the envelope into its handler data, so its envelope keys are looked up in
 * the envelope (2.0: header, then top level; v1: top level) and the rest under `event`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bodyFields, envelopeFields, readNodeSdkEvents } from '../../codegen/import/node-sdk.js';
import type { SdkField, SdkLiteral, SdkType } from '../../codegen/import/node-sdk.js';
import { domainOf } from '../../codegen/catalog.js';
import type { EventKind } from '../../codegen/catalog.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schemasDir = path.join(root, 'schemas');

// ---------------------------------------------------------------------------------------------
// Deliberate differences between the SDK's typings and our schemas.

interface SdkException {
  /** Event type, or `*` for every row of `kind`. */
  event: string;
  kind?: EventKind;
  /** Dotted field path as the SDK flattens it (`meeting.host_user`, `items[]`); covers its subtree. */
  path: string;
  reason: string;
}

const EXCEPTIONS: readonly SdkException[] = [
  {
    event: '*', kind: 'p2', path: 'ts',
    reason: 'The SDK lists the v1 envelope key ts in every 2.0 handler; 2.0 deliveries carry header.create_time instead.',
  },
  {
    event: '*', kind: 'p2', path: 'uuid',
    reason: 'The SDK lists the v1 envelope key uuid in every 2.0 handler; 2.0 deliveries carry header.event_id instead.',
  },
  {
    event: '*', kind: 'p2', path: 'type',
    reason: 'The SDK lists the v1 envelope key type in every 2.0 handler; 2.0 deliveries carry header.event_type instead.',
  },
  {
    event: 'remedy_approval', path: 'event_id',
    reason: 'The SDK types this v1 handler with the 2.0 header key event_id (and without ts/uuid); v1 deliveries carry uuid.',
  },
];

// ---------------------------------------------------------------------------------------------
// Catalog

interface Row {
  eventType: string;
  kind: EventKind;
  inNodeSdk: boolean;
  note: string;
  schemaRel: string;
}

function readRows(): Row[] {
  const [head = '', ...lines] = fs.readFileSync(path.join(schemasDir, 'catalog.tsv'), 'utf8').split('\n');
  const cols = head.split('\t');
  const at = (f: string[], name: string): string => f[cols.indexOf(name)] ?? '';
  return lines.filter((l) => l.trim() !== '').map((l) => {
    const f = l.split('\t');
    const eventType = at(f, 'event_type');
    const kind = at(f, 'kind') as EventKind;
    return { eventType, kind, inNodeSdk: at(f, 'in_node_sdk') === 'yes', note: at(f, 'note'), schemaRel: `${domainOf(eventType, kind)}/${eventType}.json` };
  });
}

// ---------------------------------------------------------------------------------------------
// Schema resolution ($ref across files by $id)

type JsonObject = { [key: string]: unknown };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function loadSchemaIndex(): Map<string, JsonObject> {
  const byId = new Map<string, JsonObject>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.json')) {
        const json: unknown = JSON.parse(fs.readFileSync(full, 'utf8'));
        if (isObject(json) && typeof json.$id === 'string') byId.set(json.$id, json);
      }
    }
  };
  walk(schemasDir);
  return byId;
}

/** A schema node together with the $id its relative refs resolve against. */
interface At {
  node: JsonObject;
  base: string;
}

class Resolver {
  constructor(private readonly byId: Map<string, JsonObject>) {}

  deref(at: At): At {
    let cur = at;
    for (let hops = 0; typeof cur.node.$ref === 'string'; hops += 1) {
      if (hops > 32) throw new Error(`$ref cycle at ${cur.base}`);
      const url = new URL(cur.node.$ref, cur.base);
      const fragment = decodeURIComponent(url.hash.slice(1));
      url.hash = '';
      const doc = this.byId.get(url.href);
      if (!doc) throw new Error(`$ref "${cur.node.$ref}" from ${cur.base}: no schema with $id ${url.href}`);
      let node: unknown = doc;
      for (const token of fragment.split('/').slice(1)) node = isObject(node) ? node[token.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
      if (!isObject(node)) throw new Error(`$ref "${cur.node.$ref}" from ${cur.base} points at nothing`);
      cur = { node, base: url.href };
    }
    return cur;
  }

  /** The node and, recursively, its anyOf/oneOf/allOf members, all dereferenced. */
  branches(at: At): At[] {
    const self = this.deref(at);
    const out = [self];
    for (const key of ['anyOf', 'oneOf', 'allOf']) {
      const list = self.node[key];
      if (Array.isArray(list)) for (const b of list) if (isObject(b)) out.push(...this.branches({ node: b, base: self.base }));
    }
    return out;
  }

  types(at: At): Set<string> {
    const out = new Set<string>();
    for (const b of this.branches(at)) {
      const t = b.node.type;
      if (typeof t === 'string') out.add(t);
      else if (Array.isArray(t)) for (const x of t) if (typeof x === 'string') out.add(x);
      if (isObject(b.node.properties)) out.add('object');
      if (b.node.items !== undefined) out.add('array');
      const values = Array.isArray(b.node.enum) ? b.node.enum : 'const' in b.node ? [b.node.const] : [];
      for (const v of values) out.add(typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : v === null ? 'null' : typeof v);
    }
    return out;
  }

  property(at: At, name: string): At | undefined {
    for (const b of this.branches(at)) {
      const props = b.node.properties;
      if (isObject(props) && isObject(props[name])) return { node: props[name], base: b.base };
    }
    return undefined;
  }

  /** Whether the object declares no properties at all (a free-form record). */
  isOpen(at: At): boolean {
    return this.branches(at).every((b) => !isObject(b.node.properties));
  }

  items(at: At): At | undefined {
    for (const b of this.branches(at)) if (isObject(b.node.items)) return { node: b.node.items, base: b.base };
    return undefined;
  }

  enumValues(at: At): unknown[] | undefined {
    for (const b of this.branches(at)) {
      if (Array.isArray(b.node.enum)) return b.node.enum;
      if ('const' in b.node) return [b.node.const];
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

function showSdk(t: SdkType): string {
  switch (t.kind) {
    case 'literal': return t.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'array': return `Array<${showSdk(t.items)}>`;
    case 'tuple': return `[${t.items.map(showSdk).join(', ')}]`;
    case 'object': return '{…}';
    case 'record': return `Record<string, ${showSdk(t.values)}>`;
    case 'union': return t.types.map(showSdk).join(' | ');
    case 'unsupported': return `unsupported(${t.text})`;
    default: return t.kind;
  }
}

function literalKind(v: SdkLiteral): string {
  return typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
}

class Comparer {
  readonly problems: string[] = [];
  constructor(private readonly r: Resolver, private readonly skip: (fieldPath: string) => boolean) {}

  private mismatch(fieldPath: string, sdk: SdkType, at: At): void {
    const ours = [...this.r.types(at)].join('|') || 'untyped';
    this.problems.push(`${fieldPath}: SDK ${showSdk(sdk)} vs schema ${ours}`);
  }

  private has(at: At, ...types: string[]): boolean {
    const ours = this.r.types(at);
    return ours.size === 0 || types.some((t) => ours.has(t));
  }

  compare(fieldPath: string, sdk: SdkType, at: At): void {
    if (this.skip(fieldPath)) return;
    switch (sdk.kind) {
      case 'any': return;
      case 'unsupported': this.problems.push(`${fieldPath}: SDK type not modelled by the reader: ${sdk.text}`); return;
      case 'string': if (!this.has(at, 'string')) this.mismatch(fieldPath, sdk, at); return;
      case 'number': if (!this.has(at, 'integer', 'number')) this.mismatch(fieldPath, sdk, at); return;
      case 'boolean': if (!this.has(at, 'boolean')) this.mismatch(fieldPath, sdk, at); return;
      case 'null': if (!this.has(at, 'null')) this.mismatch(fieldPath, sdk, at); return;
      case 'literal': {
        const kinds = new Set(sdk.values.map(literalKind));
        if (![...kinds].every((k) => this.has(at, k, ...(k === 'integer' ? ['number'] : [])))) {
          this.mismatch(fieldPath, sdk, at);
          return;
        }
        const ours = this.r.enumValues(at);
        if (ours) {
          const sub = sdk.values.every((v) => ours.includes(v));
          const sup = ours.every((v) => (sdk.values as unknown[]).includes(v));
          if (!sub && !sup) this.problems.push(`${fieldPath}: SDK literals ${showSdk(sdk)} neither ⊆ nor ⊇ schema enum ${JSON.stringify(ours)}`);
        }
        return;
      }
      case 'array':
      case 'tuple': {
        if (!this.has(at, 'array')) {
          this.mismatch(fieldPath, sdk, at);
          return;
        }
        const items = this.r.items(at);
        if (!items) return;
        for (const item of sdk.kind === 'array' ? [sdk.items] : sdk.items) this.compare(`${fieldPath}[]`, item, items);
        return;
      }
      case 'record': if (!this.has(at, 'object')) this.mismatch(fieldPath, sdk, at); return;
      case 'object': {
        if (!this.has(at, 'object')) {
          this.mismatch(fieldPath, sdk, at);
          return;
        }
        this.fields(fieldPath, sdk.fields, [at]);
        return;
      }
      case 'union': for (const t of sdk.types) this.compare(fieldPath, t, at); return;
    }
  }

  /**
   * Each field must exist, compatibly, in one of the candidate objects (more than one where the
   * SDK's flattening merges objects, e.g. a 2.0 body key overriding a same-named header key).
   */
  fields(prefix: string, fields: readonly SdkField[], candidates: readonly At[]): void {
    for (const f of fields) {
      const fieldPath = prefix ? `${prefix}.${f.name}` : f.name;
      if (this.skip(fieldPath)) continue;
      let first: string[] | undefined;
      for (const at of candidates) {
        const prop = this.r.property(at, f.name);
        if (!prop) continue;
        const trial = new Comparer(this.r, this.skip);
        trial.compare(fieldPath, f.type, prop);
        if (trial.problems.length === 0) {
          first = [];
          break;
        }
        first ??= trial.problems;
      }
      if (first) this.problems.push(...first);
      else {
        const open = candidates.length > 0 && candidates.every((at) => this.r.isOpen(at));
        this.problems.push(`${fieldPath}: typed by the SDK (${showSdk(f.type)}) but missing from the schema${open ? ' (free-form object)' : ''}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// readNodeSdkEvents on a fixture

describe('readNodeSdkEvents (fixture)', () => {
  const events = readNodeSdkEvents(path.join(root, 'test/fixtures/node-sdk/index.d.ts'));
  const field = (key: string, name: string, index = 0): SdkField | undefined => events.get(key)?.filter((f) => f.name === name)[index];

  it('reads both interfaces, the subinterface overriding a redeclared key', () => {
    expect([...events.keys()].sort()).toEqual(['overridden', 'sample.event.created_v1', 'sample_v1']);
    expect(events.get('overridden')).toEqual([{ name: 'new_field', optional: true, type: { kind: 'number' }, envelope: false }]);
  });

  it('flags v1 envelope keys by name; app_id and tenant_key stay in the body', () => {
    const fields = events.get('sample_v1') ?? [];
    expect(envelopeFields(fields).map((f) => f.name)).toEqual(['ts', 'uuid', 'token', 'type']);
    expect(bodyFields(fields).map((f) => f.name)).toEqual(['app_id', 'tenant_key', 'count', 'flag', 'rooms', 'before', 'labels', 'pairs']);
    expect(field('sample_v1', 'count')).toEqual({ name: 'count', optional: false, type: { kind: 'number' }, envelope: false });
  });

  it('converts tuples, any, records and arrays of tuples', () => {
    const room = { kind: 'object', fields: [{ name: 'open_id', optional: false, type: { kind: 'string' }, envelope: false }] };
    expect(field('sample_v1', 'rooms')?.type).toEqual({ kind: 'tuple', items: [room, room] });
    expect(field('sample_v1', 'before')?.type).toEqual({ kind: 'any' });
    expect(field('sample_v1', 'labels')?.type).toEqual({ kind: 'record', values: { kind: 'string' } });
    expect(field('sample_v1', 'pairs')?.type).toEqual({ kind: 'array', items: { kind: 'tuple', items: [{ kind: 'number' }, { kind: 'number' }] } });
  });

  it('flags only the leading 2.0 header block, so a body field may reuse a header name', () => {
    const fields = events.get('sample.event.created_v1') ?? [];
    expect(envelopeFields(fields).map((f) => f.name)).toEqual(['event_id', 'token', 'create_time', 'event_type', 'tenant_key', 'ts', 'uuid', 'type', 'app_id']);
    expect(field('sample.event.created_v1', 'type', 1)).toEqual({ name: 'type', optional: true, type: { kind: 'literal', values: ['a', 'b'] }, envelope: false });
  });

  it('converts nested objects, literal unions and optionality', () => {
    expect(field('sample.event.created_v1', 'tags')?.type).toEqual({ kind: 'array', items: { kind: 'literal', values: ['tenant', 'user'] } });
    const items = field('sample.event.created_v1', 'items');
    expect(items?.optional).toBe(false);
    expect(items?.type).toEqual({
      kind: 'array',
      items: {
        kind: 'object',
        fields: [
          { name: 'name', optional: false, type: { kind: 'string' }, envelope: false },
          { name: 'level', optional: true, type: { kind: 'literal', values: [1, 2, -1] }, envelope: false },
          {
            name: 'nested', optional: true, envelope: false,
            type: { kind: 'object', fields: [{ name: 'deep', optional: false, type: { kind: 'array', items: { kind: 'string' } }, envelope: false }] },
          },
        ],
      },
    });
  });
});

describe('schema comparison (synthetic)', () => {
  const f = (name: string, type: SdkType): SdkField => ({ name, optional: true, type, envelope: false });
  const user = { $id: 'https://x.test/common/user.json', type: 'object', properties: { open_id: { type: 'string' } } };
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^-?[0-9]+$', 'x-lark-type': 'int64' },
      count: { type: 'integer' },
      kind: { type: 'string', enum: ['a', 'b'] },
      other: { type: 'string', enum: ['x', 'y'] },
      users: { type: 'array', items: { $ref: '../common/user.json' } },
      flag: { type: 'string' },
    },
  };
  const r = new Resolver(new Map([[user.$id, user]]));
  const at: At = { node: schema, base: 'https://x.test/v1/a.json' };

  it('accepts compatible fields, following $ref into other files', () => {
    const c = new Comparer(r, () => false);
    c.fields('', [
      f('id', { kind: 'string' }), f('count', { kind: 'number' }), f('kind', { kind: 'literal', values: ['a', 'b', 'c'] }),
      f('users', { kind: 'array', items: { kind: 'object', fields: [f('open_id', { kind: 'string' })] } }), f('flag', { kind: 'any' }),
    ], [at]);
    expect(c.problems).toEqual([]);
  });

  it('reports missing fields, type mismatches and disjoint enums; skips excepted paths', () => {
    const c = new Comparer(r, (p) => p === 'skipped');
    c.fields('', [
      f('count', { kind: 'string' }), f('other', { kind: 'literal', values: ['x', 'z'] }),
      f('users', { kind: 'array', items: { kind: 'object', fields: [f('union_id', { kind: 'string' })] } }),
      f('flag', { kind: 'boolean' }), f('skipped', { kind: 'string' }), f('absent', { kind: 'number' }),
    ], [at]);
    expect(c.problems).toEqual([
      'count: SDK string vs schema integer',
      'other: SDK literals "x" | "z" neither ⊆ nor ⊇ schema enum ["x","y"]',
      'users[].union_id: typed by the SDK (string) but missing from the schema',
      'flag: SDK boolean vs schema string',
      'absent: typed by the SDK (number) but missing from the schema',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Coverage of the real SDK

const rows = readRows();
const started = performance.now();
const sdk = readNodeSdkEvents();
const readMs = Math.round(performance.now() - started);
const resolver = new Resolver(loadSchemaIndex());
const hasSchema = (r: Row): boolean => fs.existsSync(path.join(schemasDir, r.schemaRel));
const sdkRows = rows.filter((r) => r.inNodeSdk);
const expectedRows = sdkRows.filter(hasSchema);
/** Rows the SDK has no handler for but whose note names a sibling whose handler covers their key too. */
const siblingRows = rows
  .filter((r) => !r.inNodeSdk && hasSchema(r))
  .map((r) => ({ row: r, sibling: /same event body shape as (\S+)/.exec(r.note)?.[1] }))
  .filter((x): x is { row: Row; sibling: string } => x.sibling !== undefined && sdk.has(x.sibling));
const usedExceptions = new Set<SdkException>();
let checked = 0;

function checkRow(row: Row, fields: readonly SdkField[]): string[] {
  const applicable = EXCEPTIONS.filter((e) => (e.event === '*' ? e.kind === row.kind : e.event === row.eventType));
  const comparer = new Comparer(resolver, (fieldPath) => {
    const e = applicable.find((x) => fieldPath === x.path || fieldPath.startsWith(`${x.path}.`) || fieldPath.startsWith(`${x.path}[`));
    if (e) usedExceptions.add(e);
    return e !== undefined;
  });
  const json: unknown = JSON.parse(fs.readFileSync(path.join(schemasDir, row.schemaRel), 'utf8'));
  if (!isObject(json) || typeof json.$id !== 'string') return ['the schema has no $id'];
  const top: At = { node: json, base: json.$id };
  const event = resolver.property(top, 'event');
  if (!event) return ['the schema has no `event` property'];
  if (row.kind === 'p1') {
    // v1: {...event, ...rest}, so the top-level keys win.
    comparer.fields('', envelopeFields(fields), [top]);
  } else {
    // 2.0: {...rest, ...header, ...event}, so a body key may stand where the SDK lists a header key.
    const header = resolver.property(top, 'header');
    comparer.fields('', envelopeFields(fields), [...(header ? [header] : []), top, event]);
  }
  comparer.fields('', bodyFields(fields), [event]);
  return comparer.problems.map((p) => `${row.schemaRel}: ${p}`);
}

describe('Node SDK coverage', () => {

  it('has an SDK handler for every in_node_sdk=yes row', () => {
    expect(sdkRows.filter((r) => !sdk.has(r.eventType)).map((r) => r.eventType)).toEqual([]);
  });

  it.each(expectedRows.map((r) => [r.eventType, r] as const))('%s', (_name, row) => {
    checked += 1;
    expect(checkRow(row, sdk.get(row.eventType) ?? [])).toEqual([]);
  });

  it.each(siblingRows.map((x) => [`${x.row.eventType} (as ${x.sibling})`, x] as const))('%s', (_name, { row, sibling }) => {
    expect(checkRow(row, sdk.get(sibling) ?? [])).toEqual([]);
  });

  it('checked every in_node_sdk=yes row that has a schema', () => {
    console.info(
      `node-sdk coverage: checked ${checked} of ${sdkRows.length} in_node_sdk=yes rows (${expectedRows.length} have a schema), ` +
        `${siblingRows.length} sibling rows; SDK typings read in ${readMs} ms`,
    );
    expect(expectedRows.length).toBeGreaterThan(0);
    expect(checked).toBeGreaterThanOrEqual(expectedRows.length);
  });

  it('needed every listed exception (a stale one must be removed)', () => {
    expect(EXCEPTIONS.filter((e) => !usedExceptions.has(e)).map((e) => `${e.event} ${e.path}`)).toEqual([]);
  });
});
