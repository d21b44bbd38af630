import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPageText, importPages, runImportCli } from '../../../codegen/import/index.js';
import { loadCatalog, parseCatalog } from '../../../codegen/catalog.js';
import { readNodeSdkEvents } from '../../../codegen/import/node-sdk.js';
import { MERGED_DESCRIPTION, mergeSdkIntoTree } from '../../../codegen/import/sdk-merge.js';
import type { FieldNode } from '../../../codegen/import/field-tree.js';
import { parseDocType } from '../../../codegen/import/field-types.js';
import { parseDescription } from '../../../codegen/import/rules.js';
import { mirrorSchema } from '../../../codegen/import/mirror.js';
import { strictValidate } from './strict-ajv.js';

const ROOT = join(import.meta.dirname, '../../..');
const PAGE = 'test/codegen/import/fixtures/sdk-merge.md';
const SDK_TYPES = join(ROOT, 'test/fixtures/node-sdk/merge.d.ts');
const sdk = readNodeSdkEvents(SDK_TYPES);
const catalog = loadCatalog(join(ROOT, 'test/codegen/import/fixtures/catalog.tsv'));

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;
const defs = (s: Obj): Obj => obj(s['definitions']);
const props = (d: unknown): Obj => obj(obj(d)['properties']);

function load(withSdk = true) {
  const r = importPageText(readFileSync(join(ROOT, PAGE), 'utf8'), PAGE, catalog, undefined, withSdk ? sdk : undefined);
  const s = r.schemas[0];
  if (!s) throw new Error('no schema');
  return { r, s, schema: s.schema as Obj, data: defs(s.schema as Obj)['P2DemoSdkMergedV1Data'] };
}

describe('merging the Node SDK typings into a page', () => {
  const { r, s, schema, data } = load();
  const ann = { description: MERGED_DESCRIPTION, 'x-lark-source': 'node-sdk' };

  it('adds the fields the page lacks, annotated, typed from the SDK', () => {
    expect(props(data)['labels']).toEqual({ type: 'object', additionalProperties: { type: 'string' }, ...ann });
    // A literal union is an enum (no meanings to describe); numbers that are all whole are integers.
    expect(props(data)['sizes']).toEqual({ type: 'array', items: { type: 'integer', enum: [1, 2, 3] }, ...ann });
    expect(s.sdkMerged).toEqual(['info.kind', 'info.extra', 'old_info.kind', 'old_info.extra', 'labels', 'sizes']);
  });

  it('merges recursively into the definition that holds the field, in the SDK order', () => {
    const info = defs(schema)['P2DemoSdkMergedV1InfoType'];
    expect(Object.keys(props(info))).toEqual(['name', 'kind', 'extra']);
    expect(props(info)['name']).toEqual({ type: 'string', description: '名称' });
    expect(props(info)['kind']).toEqual({ type: 'string', enum: ['a', 'b'], ...ann });
    expect(props(info)['extra']).toEqual({ $ref: '#/definitions/P2DemoSdkMergedV1Extra', ...ann });
    expect(props(defs(schema)['P2DemoSdkMergedV1Extra'])['flag']).toEqual({ type: 'boolean', ...ann });
    // old_info (same doc type, plus the page's `note`) gets the same merged fields, before `note`.
    const old = defs(schema)['P2DemoSdkMergedV1InfoTypeOldInfo'];
    expect(Object.keys(props(old))).toEqual(['name', 'kind', 'extra', 'note']);
  });

  it("keeps the page's type where its own example shows it, and notes the SDK's", () => {
    expect(props(data)['stamp']).toEqual({
      type: 'string', description: '时间戳（秒）',
      'x-lark-note': 'The Node SDK types this field as number; the page\'s example sends "1700000000", and the field table outranks the SDK\'s typings, so the page\'s type string is kept.',
    });
    expect(s.sdkDecisions.find((d) => d.path === 'stamp')).toEqual({ path: 'stamp', pageType: 'string', sdkType: 'number', winner: 'page', reason: 'the page\'s example sends "1700000000"' });
  });

  it("takes the SDK's type where the example agrees with it", () => {
    expect(props(data)['ranges']).toMatchObject({
      type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } },
      'x-lark-note': expect.stringContaining('the Node SDK as Array<[number, number]>; the page\'s example sends [[1700000000,1700003600]], so the SDK\'s type is used'),
    });
  });

  it("keeps the page's type where the example is silent: the field table outranks the SDK's typings", () => {
    expect(props(data)['level']).toEqual({
      type: 'integer', enum: [1, 2], description: '等级', 'x-lark-enum-descriptions': { 1: '低', 2: '高' },
      'x-lark-note': "The Node SDK types this field as string; the page's example does not show the field, and the field table outranks the SDK's typings, so the page's type int is kept.",
    });
    expect(s.sdkDecisions.map((d) => [d.path, d.winner])).toEqual([['stamp', 'page'], ['level', 'page'], ['ranges', 'sdk']]);
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('keeps the official example, which validates strictly', () => {
    expect(s.exampleSource).toBe('official');
    expect(strictValidate(schema, (schema['examples'] as unknown[])[0])).toEqual({ ok: true, errors: 'No errors' });
  });

  it('does nothing without the typings', () => {
    const plain = load(false);
    expect(plain.s.sdkMerged).toEqual([]);
    expect(JSON.stringify(plain.schema)).not.toContain('x-lark-source');
    expect(props(plain.data)['stamp']).toEqual({ type: 'string', description: '时间戳（秒）' });
  });
});

describe('the user_id rule', () => {
  const { schema, data } = load();
  it("makes an {open_id} of a meeting room its own definition, and a user's {open_id} a user-id shape", () => {
    expect(props(data)['meeting_rooms']).toEqual({ type: 'array', items: { $ref: '#/definitions/P2DemoSdkMergedV1MeetingRooms' }, description: '关联的会议室' });
    expect(props(defs(schema)['P2DemoSdkMergedV1MeetingRooms'])).toEqual({ open_id: { type: 'string', description: '会议室 ID' } });
    // The example always carries the operator's open_id: the user-id shape is the event's own, and requires it.
    expect(props(data)['operator']).toEqual({ $ref: '#/definitions/P2DemoSdkMergedV1Operator', description: '操作人' });
    expect(defs(schema)['P2DemoSdkMergedV1Operator']).toMatchObject({ required: ['open_id'], properties: { open_id: { type: 'string' } } });
  });
});

describe('mergeSdkIntoTree', () => {
  const node = (name: string, type: string, children: FieldNode[] = []): FieldNode => ({
    name, rawType: type, type: parseDocType(type) ?? { kind: 'any', raw: type }, rules: parseDescription(''), line: 1, children,
  });

  it('copies a field the page documents for the same doc type elsewhere, and skips the envelope', () => {
    const tree = [node('event', '-', [node('object', 'user_event', [node('name', 'string'), node('email', 'string')]), node('old_object', 'user_event', [node('name', 'string')])])];
    const problems: never[] = [];
    const report = mergeSdkIntoTree(tree, [
      { name: 'event_id', optional: true, type: { kind: 'string' }, envelope: true },
      { name: 'old_object', optional: true, envelope: false, type: { kind: 'object', fields: [
        { name: 'name', optional: true, type: { kind: 'string' }, envelope: false },
        { name: 'email', optional: true, type: { kind: 'string' }, envelope: false },
      ] } },
    ], { eventType: 'x.y.z_v1', example: undefined, page: 'p.md', problems });
    expect(report.merged).toEqual(['old_object.email']);
    const old = tree[0]?.children[1];
    expect(old?.children.map((c) => c.name)).toEqual(['name', 'email']);
    expect(old?.children[1]?.annotations).toBeUndefined();
    expect(tree[0]?.children.map((c) => c.name)).toEqual(['object', 'old_object']);
  });
});

describe('mirrors', () => {
  it('give a "same event body shape" row the sibling\'s schema under its own names', () => {
    const { s } = load();
    const cat = parseCatalog([
      'event_type\tkind\ttype_name\tregister_method\tin_node_sdk\tin_python_sdk\tin_go_sdk\tdoc_page\tnote',
      `demo.sdk.merged_v1\tp2\tP2DemoSdkMergedV1\tregister_p2_demo_sdk_merged_v1\tno\tno\tno\t${PAGE}\t`,
      'demo.sdk.copied_v1\tp2\tP2DemoSdkCopiedV1\tregister_p2_demo_sdk_copied_v1\tno\tno\tno\t\tsame event body shape as demo.sdk.merged_v1 (one SDK handler covers these keys)',
    ].join('\n') + '\n');
    const from = cat.get('demo.sdk.merged_v1');
    const row = cat.get('demo.sdk.copied_v1');
    if (!from || !row) throw new Error('catalog');
    const m = mirrorSchema(s.schema, from, row) as Obj;
    expect(m['$id']).toBe('https://lark-event-catalog.dev/schemas/demo/demo.sdk.copied_v1.json');
    expect(m['title']).toBe('P2DemoSdkCopiedV1');
    expect(obj(m['x-lark'])).toMatchObject({ event_type: 'demo.sdk.copied_v1', register_method: 'register_p2_demo_sdk_copied_v1', source: 'note: same shape as demo.sdk.merged_v1' });
    expect(Object.keys(defs(m)).every((k) => k.startsWith('P2DemoSdkCopiedV1') && obj(defs(m)[k])['title'] === k)).toBe(true);
    expect(JSON.stringify(m)).not.toContain('P2DemoSdkMergedV1');
    expect(obj(obj((m['examples'] as unknown[])[0])['header'])['event_type']).toBe('demo.sdk.copied_v1');
    expect(strictValidate(m, (m['examples'] as unknown[])[0]).ok).toBe(true);
  });
});

describe('importPages with the SDK merge', () => {
  const options = (outDir: string, extra: Obj = {}) => ({ outDir, catalogPath: join(ROOT, 'test/codegen/import/fixtures/catalog.tsv'), commonDir: join(ROOT, 'schemas/common'), sdkTypesPath: SDK_TYPES, ...extra });

  it('is deterministic: the same inputs give byte-identical files', async () => {
    const a = mkdtempSync(join(tmpdir(), 'sdk-merge-a-'));
    const b = mkdtempSync(join(tmpdir(), 'sdk-merge-b-'));
    const ra = await importPages([join(ROOT, PAGE)], options(a));
    const rb = await importPages([join(ROOT, PAGE)], options(b));
    expect(ra.written).toHaveLength(1);
    for (const f of ra.written) expect(readFileSync(f.replace(a, b), 'utf8')).toBe(readFileSync(f, 'utf8'));
    expect(ra.events[0]?.sdkMerged).toHaveLength(6);
    expect(rb.events[0]?.sdkDecisions).toHaveLength(3);
  });

  it('is on by default and off with sdkMerge: false / --no-sdk-merge', async () => {
    const on = mkdtempSync(join(tmpdir(), 'sdk-merge-on-'));
    const off = mkdtempSync(join(tmpdir(), 'sdk-merge-off-'));
    await importPages([join(ROOT, PAGE)], options(on));
    await importPages([join(ROOT, PAGE)], options(off, { sdkMerge: false }));
    const file = 'demo/demo.sdk.merged_v1.json';
    expect(readFileSync(join(on, file), 'utf8')).toContain('"x-lark-source": "node-sdk"');
    expect(readFileSync(join(off, file), 'utf8')).not.toContain('x-lark-source');

    const cli = mkdtempSync(join(tmpdir(), 'sdk-merge-cli-'));
    const out: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await runImportCli(['--out', cli, '--catalog', join(ROOT, 'test/codegen/import/fixtures/catalog.tsv'), '--no-sdk-merge', join(ROOT, PAGE)])).toBe(0);
      expect(readFileSync(join(cli, file), 'utf8')).toBe(readFileSync(join(off, file), 'utf8'));
      expect(await runImportCli(['--out', cli, '--catalog', join(ROOT, 'test/codegen/import/fixtures/catalog.tsv'), '--sdk-types', SDK_TYPES, join(ROOT, PAGE)])).toBe(0);
      expect(readFileSync(join(cli, file), 'utf8')).toBe(readFileSync(join(on, file), 'utf8'));
      expect(await runImportCli(['--out', cli, '--sdk-types', join(cli, 'missing.d.ts'), join(ROOT, PAGE)])).toBe(2);
    } finally {
      process.stdout.write = orig;
      process.stderr.write = origErr;
    }
    expect(out.join('')).toMatch(/Node SDK: 6 fields merged in 1 schemas; 3 type conflicts \(1 SDK type used, 2 page type kept\)/);
  });

  it('writes mirrors for catalog rows that share an imported event\'s body shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdk-merge-mirror-'));
    const cat = join(dir, 'catalog.tsv');
    writeFileSync(cat, readFileSync(join(ROOT, 'test/codegen/import/fixtures/catalog.tsv'), 'utf8')
      + 'demo.sdk.copied_v1\tp2\tP2DemoSdkCopiedV1\tregister_p2_demo_sdk_copied_v1\tno\tno\tno\t\tsame event body shape as demo.sdk.merged_v1\n');
    const out = join(dir, 'out');
    const r = await importPages([join(ROOT, PAGE)], options(out, { catalogPath: cat }));
    // The mirror declares the same sub-objects: they move to the domain's definitions.json.
    expect(readdirSync(join(out, 'demo')).sort()).toEqual(['definitions.json', 'demo.sdk.copied_v1.json', 'demo.sdk.merged_v1.json']);
    expect(r.events.map((e) => e.eventType)).toEqual(['demo.sdk.merged_v1', 'demo.sdk.copied_v1']);
    expect(r.shared.get('demo')?.length).toBeGreaterThan(0);
  });
});
