import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importPageText, importPages, runImportCli, serializeSchema } from '../../../codegen/import/index.js';
import { loadCatalog, parseCatalog, registerMethodFor, typeNameFor } from '../../../codegen/catalog.js';
import { parseExample } from '../../../codegen/import/examples.js';
import { strictValidate } from './strict-ajv.js';

const FIX = join(import.meta.dirname, 'fixtures');
const ROOT = join(import.meta.dirname, '../../..');
const DOCS = join(import.meta.dirname, '../../fixtures/lark-docs');
const SEED = join(import.meta.dirname, '../../fixtures/seeds/002_c6042755e2590ada.txt');
const fixtureCatalog = loadCatalog(join(FIX, 'catalog.tsv'));
const realCatalog = loadCatalog(join(ROOT, 'schemas/catalog.tsv'));

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;
const defs = (s: Obj): Obj => obj(s['definitions']);
const props = (d: unknown): Obj => obj(obj(d)['properties']);

function importFixture(name: string, catalog = fixtureCatalog) {
  const path = `test/codegen/import/fixtures/${name}`;
  return importPageText(readFileSync(join(ROOT, path), 'utf8'), path, catalog);
}

describe('schema from a Markdown page', () => {
  const result = importFixture('nested.md');
  const s = result.schemas[0]?.schema as Obj;
  const data = defs(s)['P2DemoItemChangedV1Data'];
  const item = defs(s)['P2DemoItemChangedV1ItemInfo'];

  it('follows the naming and envelope conventions', () => {
    expect(Object.keys(s)).toEqual(['$schema', '$id', 'title', 'description', 'x-lark', 'type', 'required', 'properties', 'definitions', 'examples']);
    expect(s['$id']).toBe('https://lark-event-catalog.dev/schemas/demo/demo.item.changed_v1.json');
    expect(s['title']).toBe('P2DemoItemChangedV1');
    expect(s['x-lark']).toEqual({
      event_type: 'demo.item.changed_v1', kind: 'p2', register_method: 'register_p2_demo_item_changed_v1',
      source: 'test/codegen/import/fixtures/nested.md', permissions: ['demo:item:readonly', 'demo:item'],
      field_permissions: ['contact:user.employee_id:readonly'], app_types: ['custom', 'isv'],
    });
    expect(props(s)['header']).toEqual({ $ref: '../common/event_header.json' });
    expect(props(s)['event']).toEqual({ $ref: '#/definitions/P2DemoItemChangedV1Data' });
    for (const [k, d] of Object.entries(defs(s))) expect(obj(d)['title']).toBe(k);
  });

  it('turns {union_id, user_id, open_id} the example always carries into its own definition that requires them', () => {
    expect(props(data)['operator_id']).toEqual({ $ref: '#/definitions/P2DemoItemChangedV1UserId', description: '操作人' });
    const ids = obj(defs(s)['P2DemoItemChangedV1UserId']);
    // user_id is withheld without the scope (the nullability rule): never required, admits null.
    expect(ids['required']).toEqual(['union_id', 'open_id']);
    expect(props(ids)['user_id']).toMatchObject({ type: ['string', 'null'], 'x-lark-field-permissions': ['contact:user.employee_id:readonly'] });
    expect(Object.keys(props(ids))).toEqual(['union_id', 'user_id', 'open_id']);
  });

  it('refers to the shared user_id definition, which requires nothing, where no example always carries an id', () => {
    const path = 'test/codegen/import/fixtures/nested.md';
    const text = readFileSync(join(ROOT, path), 'utf8').replace(/"operator_id": \{[^}]*\}/, '"operator_id": { "user_id": null }');
    const other = importPageText(text, path, fixtureCatalog).schemas[0]?.schema as Obj;
    expect(props(defs(other)['P2DemoItemChangedV1Data'])['operator_id']).toEqual({ $ref: '../common/user_id.json', description: '操作人' });
    expect(defs(other)['P2DemoItemChangedV1UserId']).toBeUndefined();
  });

  it('types enums with the field type and keeps their meanings', () => {
    expect(props(item)['level']).toMatchObject({ type: 'integer', enum: [1, 2, 0], 'x-lark-enum-descriptions': { 1: '普通', 2: '高级', 0: '未知' } });
    expect(props(item)['kind']).toMatchObject({ type: 'string', enum: ['doc', 'sheet'] });
  });

  it('puts length rules on arrays as item counts and on strings as lengths', () => {
    expect(props(item)['tags']).toMatchObject({ type: 'array', minItems: 1, maxItems: 5, items: { type: 'string' } });
    expect(props(item)['title']).toMatchObject({ type: 'string', minLength: 1, maxLength: 64 });
    expect(props(item)['score']).toMatchObject({ type: 'integer', minimum: 0, maximum: 100 });
    expect(props(item)['owners']).toMatchObject({ type: 'array', maxItems: 3, items: { $ref: '#/definitions/P2DemoItemChangedV1Owner' } });
    expect(props(defs(s)['P2DemoItemChangedV1Owner'])['name']).toMatchObject({ type: 'string', minLength: 1 });
  });

  it('keeps field permissions', () => {
    expect(props(defs(s)['P2DemoItemChangedV1Owner'])['email']).toMatchObject({ 'x-lark-field-permissions': ['contact:user.email:readonly', 'contact:contact:readonly'] });
  });

  it('reads int64 as a decimal string unless the example sends a number', () => {
    expect(props(data)['revision']).toMatchObject({ type: 'string', pattern: '^-?[0-9]+$', 'x-lark-type': 'int64' });
    expect(props(item)['item_id']).toMatchObject({ type: 'string', 'x-lark-type': 'int64' });
    expect(props(data)['seq']).toMatchObject({ type: 'integer' });
    expect(props(data)['seq']).not.toHaveProperty('x-lark-type');
  });

  it('shares one definition for a doc type used twice with the same shape', () => {
    expect(props(data)['item']).toMatchObject({ $ref: '#/definitions/P2DemoItemChangedV1ItemInfo' });
    expect(props(data)['old_item']).toMatchObject({ $ref: '#/definitions/P2DemoItemChangedV1ItemInfo' });
    expect(Object.keys(defs(s)).filter((k) => k.startsWith('P2DemoItemChangedV1Owner'))).toEqual(['P2DemoItemChangedV1Owner']);
  });

  it('disambiguates a doc type name reused with a different shape, deterministically', () => {
    expect(props(data)['summary']).toMatchObject({ $ref: '#/definitions/P2DemoItemChangedV1ItemInfoSummary' });
    expect(Object.keys(props(defs(s)['P2DemoItemChangedV1ItemInfoSummary']))).toEqual(['item_id']);
    expect(result.problems.some((p) => /doc type item_info has different shapes/.test(p.message))).toBe(true);
  });

  it('uses the page example, which validates in strict mode', () => {
    expect(result.schemas[0]?.exampleSource).toBe('official');
    expect(s).not.toHaveProperty('x-lark-example-source');
    const ex = (s['examples'] as unknown[])[0];
    expect(strictValidate(s, ex)).toEqual({ ok: true, errors: 'No errors' });
  });
});

describe('the seed (plain-text page)', () => {
  const r = importPageText(readFileSync(SEED, 'utf8'), SEED, realCatalog);
  const s = r.schemas[0]?.schema as Obj;
  const ex = (s['examples'] as unknown[])[0] as Obj;

  it('produces the catalog names and no errors', () => {
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(s['title']).toBe('P2ApplicationApplicationAppVersionPublishApplyV6');
    expect(obj(s['x-lark'])['register_method']).toBe('register_p2_application_application_app_version_publish_apply_v6');
  });

  it('validates its own example strictly, and rejects a string scope level', () => {
    expect(strictValidate(s, ex).ok).toBe(true);
    const bad = structuredClone(ex) as { event: { online_version: { scopes: Array<{ level: unknown }> } } };
    const scope = bad.event.online_version.scopes[0];
    if (!scope) throw new Error('example has no scope');
    scope.level = '1';
    expect(strictValidate(s, bad).ok).toBe(false);
  });

  it('has the documented enums and constraints', () => {
    const d = defs(s);
    const version = props(d['P2ApplicationApplicationAppVersionPublishApplyV6ApplicationAppVersionEvent']);
    expect(props(d['P2ApplicationApplicationAppVersionPublishApplyV6AppScope'])['level']).toMatchObject({ enum: [1, 2, 3, 0] });
    expect(props(d['P2ApplicationApplicationAppVersionPublishApplyV6AppScope'])['token_types']).toMatchObject({ maxItems: 200, items: { enum: ['tenant', 'user'] } });
    expect(version['status']).toMatchObject({ enum: [0, 1, 2, 3, 4] });
    expect(version['common_categories']).toMatchObject({ maxItems: 3 });
    expect(version['i18n']).toMatchObject({ minItems: 1 });
    expect(version['version']).toMatchObject({ minLength: 1 });
    expect(props(d['P2ApplicationApplicationAppVersionPublishApplyV6AppI18nInfo'])['i18n_key']).toMatchObject({ enum: expect.arrayContaining(['zh_cn', 'en_us', 'ko_kr']) });
    expect(props(d['P2ApplicationApplicationAppVersionPublishApplyV6Data'])['app_status']).toMatchObject({ enum: [0, 1] });
    // online_version and under_audit_version share one definition.
    expect(props(d['P2ApplicationApplicationAppVersionPublishApplyV6Data'])['under_audit_version']).toMatchObject({ $ref: '#/definitions/P2ApplicationApplicationAppVersionPublishApplyV6ApplicationAppVersionEvent' });
  });
});

describe('v1 pages with several events', () => {
  it('yields one schema per event key, with event.type const', () => {
    const r = importFixture('v1-multi.md');
    expect(r.schemas.map((x) => x.eventType)).toEqual(['demo_approval', 'demo_approval_revert']);
    const [first, second] = r.schemas.map((x) => x.schema as Obj);
    if (!first || !second) throw new Error('missing schemas');
    expect(first['$id']).toBe('https://lark-event-catalog.dev/schemas/v1/demo_approval.json');
    expect(first['required']).toEqual(['uuid', 'token', 'ts', 'type', 'event']);
    expect(props(first)['type']).toEqual({ type: 'string', const: 'event_callback' });
    expect(props(defs(first)['P1DemoApprovalData'])['type']).toMatchObject({ type: 'string', const: 'demo_approval' });
    expect(props(defs(first)['P1DemoApprovalData'])['unit']).toMatchObject({ type: 'integer', enum: [1, 2] });
    expect(props(defs(second)['P1DemoApprovalRevertData'])['type']).toMatchObject({ const: 'demo_approval_revert' });
    // The first example had a comment and a trailing comma: repaired, not dropped.
    expect(r.schemas[0]?.exampleSource).toBe('official');
    expect(r.schemas[0]?.exampleRepairs).toEqual(['removed comments', 'removed trailing commas']);
    expect(r.schemas[1]?.exampleSource).toBe('synthesized');
    expect(second['x-lark-example-source']).toBe('synthesized');
    for (const x of r.schemas) expect(strictValidate(x.schema, (x.schema['examples'] as unknown[])[0]).ok).toBe(true);
  });

  it('splits the official leave page into leave_approval, leave_approvalV2, leave_approval_revert', () => {
    const path = join(DOCS, 'events/approval-v4/event/special-event/leave.md');
    const r = importPageText(readFileSync(path, 'utf8'), path, realCatalog);
    expect(r.schemas.map((x) => x.eventType)).toEqual(['leave_approval', 'leave_approvalV2', 'leave_approval_revert']);
    expect(r.schemas.map((x) => x.schema['title'])).toEqual(['P1LeaveApproval', 'P1LeaveApprovalV2', 'P1LeaveApprovalRevert']);
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const v2 = r.schemas[1]?.schema as Obj;
    expect(obj(v2['x-lark'])['register_method']).toBe('register_p1_leave_approval_v2');
    expect(props(defs(v2)['P1LeaveApprovalV2Data'])['leave_unit']).toMatchObject({ enum: ['HALF_DAY', 'DAY', 'HOUR', 'HALF_HOUR', 'MINUTE'] });
  });
});

describe('synthesized examples', () => {
  it('fill the envelope, set the event type and validate strictly', () => {
    const path = join(DOCS, 'events/vc-v1/meeting/events/leave_meeting.md');
    const r = importPageText(readFileSync(path, 'utf8'), path, realCatalog);
    const s = r.schemas[0]?.schema as Obj;
    expect(Object.keys(s).indexOf('x-lark-example-source')).toBe(Object.keys(s).indexOf('x-lark') + 1);
    expect(s['x-lark-example-source']).toBe('synthesized');
    const ex = (s['examples'] as unknown[])[0] as { schema: string; header: Obj; event: { leave_user: { id: Obj }; meeting: Obj } };
    expect(ex.schema).toBe('2.0');
    expect(ex.header['event_type']).toBe('vc.meeting.leave_meeting_v1');
    expect(ex.header['app_id']).toMatch(/^cli_/);
    expect(ex.header['event_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(ex.event.leave_user.id['open_id']).toMatch(/^ou_[0-9a-f]{32}$/);
    expect(ex.event.leave_user.id['union_id']).toMatch(/^on_/);
    expect(ex.event.meeting['start_time']).toMatch(/^[0-9]{10}$/);
    expect(strictValidate(s, ex).ok).toBe(true);
  });
});

describe('example repair', () => {
  it('repairs comments, trailing commas and ... placeholders', () => {
    const r = parseExample('{\n "a": 1, // one\n "b": [1, 2, ...],\n "c": "http://x//y",\n ...\n}');
    expect(r).toEqual({ value: { a: 1, b: [1, 2], c: 'http://x//y' }, repairs: ['removed comments', 'removed "..." placeholders', 'removed trailing commas'] });
  });
  it('reports what it cannot repair', () => {
    expect(parseExample('{ "a": }')).toHaveProperty('error');
  });
});

describe('names', () => {
  it('come from catalog.tsv, else from the naming rule', () => {
    expect(typeNameFor('im.message.receive_v1', 'p2')).toBe('P2ImMessageReceiveV1');
    expect(typeNameFor('leave_approvalV2', 'p1')).toBe('P1LeaveApprovalV2');
    expect(registerMethodFor('leave_approvalV2', 'p1')).toBe('register_p1_leave_approval_v2');
    expect(registerMethodFor('im.message.receive_v1', 'p2')).toBe('register_p2_im_message_receive_v1');
    const r = importPageText(readFileSync(join(FIX, 'nested.md'), 'utf8'), 'elsewhere/nested.md', parseCatalog('event_type\tkind\n'));
    expect(r.schemas[0]?.schema['title']).toBe('P2DemoItemChangedV1');
  });
});

describe('unparseable rows', () => {
  it('are reported with page and line, never silently dropped', () => {
    const r = importFixture('broken.md');
    const errors = r.problems.filter((p) => p.severity === 'error').map((p) => [p.page, p.line, p.message]);
    expect(errors).toEqual([
      ['test/codegen/import/fixtures/broken.md', 23, expect.stringMatching(/has 2 cells, expected 3/)],
      ['test/codegen/import/fixtures/broken.md', 24, expect.stringMatching(/unknown field type "`神秘类型`" for weird/)],
      ['test/codegen/import/fixtures/broken.md', 25, expect.stringMatching(/cannot read the field name "名字"/)],
      ['test/codegen/import/fixtures/broken.md', 26, expect.stringMatching(/too_deep is indented 3 levels/)],
    ]);
    // The readable rows still make it.
    const data = defs(r.schemas[0]?.schema as Obj)['P2DemoBrokenRowsV1Data'];
    expect(Object.keys(props(data))).toEqual(['good', 'also_good']);
  });

  it('make the CLI exit 1 with page:line on stderr', async () => {
    const out = mkdtempSync(join(tmpdir(), 'import-'));
    const lines: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    const origOut = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await runImportCli(['--out', out, '--catalog', join(FIX, 'catalog.tsv'), join(FIX, 'broken.md')]);
    } finally {
      process.stderr.write = orig;
      process.stdout.write = origOut;
    }
    expect(code).toBe(1);
    expect(lines.join('')).toMatch(/fixtures\/broken\.md:24: error: unknown field type/);
  });

  it('CLI exits 2 on usage errors and unreadable files, 0 when clean', async () => {
    const out = mkdtempSync(join(tmpdir(), 'import-'));
    const orig = process.stderr.write.bind(process.stderr);
    const origOut = process.stdout.write.bind(process.stdout);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await runImportCli([])).toBe(2);
      expect(await runImportCli(['--bogus'])).toBe(2);
      expect(await runImportCli(['--out', out, join(FIX, 'does-not-exist.md')])).toBe(2);
      expect(await runImportCli(['--out', out, '--catalog', join(FIX, 'catalog.tsv'), join(FIX, 'nested.md')])).toBe(0);
    } finally {
      process.stderr.write = orig;
      process.stdout.write = origOut;
    }
    expect(readdirSync(join(out, 'demo'))).toEqual(['demo.item.changed_v1.json']);
  });

  it('--help names the command and no path of this project', async () => {
    const origOut = process.stdout.write.bind(process.stdout);
    let text = '';
    process.stdout.write = ((chunk: string) => { text += chunk; return true; }) as typeof process.stdout.write;
    try {
      expect(await runImportCli(['--help'])).toBe(0);
    } finally {
      process.stdout.write = origOut;
    }
    expect(text).toMatch(/^usage: lark-events import /);
    expect(text).toContain('--from-catalog');
    expect(text).not.toMatch(/shared\/|lark-docs|\.\.\//);
  });
});

describe('determinism', () => {
  it('the same pages give byte-identical files', async () => {
    const pages = [SEED, join(DOCS, 'events/im-v1/message/events/receive.md'), join(DOCS, 'events/approval-v4/event/special-event/leave.md'), join(FIX, 'nested.md')];
    const a = mkdtempSync(join(tmpdir(), 'import-a-'));
    const b = mkdtempSync(join(tmpdir(), 'import-b-'));
    const ra = await importPages(pages, { outDir: a, catalogPath: join(ROOT, 'schemas/catalog.tsv'), commonDir: join(ROOT, 'schemas/common') });
    const rb = await importPages([...pages].reverse(), { outDir: b, catalogPath: join(ROOT, 'schemas/catalog.tsv'), commonDir: join(ROOT, 'schemas/common') });
    expect(ra.written).toHaveLength(6);
    for (const f of ra.written) {
      const text = readFileSync(f, 'utf8');
      expect(readFileSync(f.replace(a, b), 'utf8')).toBe(text);
      expect(text.endsWith('}\n')).toBe(true);
      expect(serializeSchema(JSON.parse(text) as never)).toBe(text);
    }
  });
});
