import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPages } from '../../../codegen/import/index.js';
import { cpSync } from 'node:fs';
import { mergeCaptured } from '../../../codegen/import/captured.js';
import { applyPlan } from '../../../codegen/learn/apply.js';
import { diffPayload, SchemaIndex } from '../../../codegen/learn/diff.js';
import { plan } from '../../../codegen/learn/plan.js';
import { loadSchemas } from '../../../codegen/load.js';
import type { JsonObject } from '../../../codegen/schema-file.js';

const ROOT = join(import.meta.dirname, '../../..');
const PAGE = join(ROOT, 'test/fixtures/lark-docs/events/im-v1/message/events/receive.md');
const FILE = (out: string) => join(out, 'im', 'im.message.receive_v1.json');
const options = (outDir: string) => ({ outDir, catalogPath: join(ROOT, 'schemas/catalog.tsv'), commonDir: join(ROOT, 'schemas/common'), sdkMerge: false });

type Obj = { [k: string]: any };
const defs = (s: Obj): Obj => s['definitions'];

describe('captured knowledge survives a re-import', () => {
  it('keeps captured properties (with their definitions), enum values and widened types', async () => {
    const out = mkdtempSync(join(tmpdir(), 'captured-'));
    await importPages([PAGE], options(out));
    const first = JSON.parse(readFileSync(FILE(out), 'utf8')) as Obj;
    const message = defs(first)['P2ImMessageReceiveV1EventMessage'].properties;
    expect(message.chat_type.enum).not.toContain('topic_group');
    // What `lark-events learn --write` would add.
    message.chat_type = { ...message.chat_type, enum: [...message.chat_type.enum, 'topic_group'], 'x-lark-source': 'captured' };
    message.root_id = { ...message.root_id, type: ['string', 'null'], 'x-lark-source': 'captured' };
    defs(first)['P2ImMessageReceiveV1Data'].properties.seen_by = { $ref: '#/definitions/P2ImMessageReceiveV1SeenBy', 'x-lark-source': 'captured' };
    defs(first)['P2ImMessageReceiveV1SeenBy'] = { title: 'P2ImMessageReceiveV1SeenBy', type: 'object', properties: { count: { type: 'integer' } }, 'x-lark-source': 'captured' };
    writeFileSync(FILE(out), JSON.stringify(first, null, 2) + '\n');

    const r = await importPages([PAGE], options(out));
    expect(r.problems.some((p) => /kept what captured deliveries taught/.test(p.message))).toBe(true);
    const again = JSON.parse(readFileSync(FILE(out), 'utf8')) as Obj;
    const m2 = defs(again)['P2ImMessageReceiveV1EventMessage'].properties;
    expect(m2.chat_type.enum).toEqual(expect.arrayContaining([...message.chat_type.enum]));
    expect(m2.root_id.type).toEqual(['string', 'null']);
    expect(defs(again)['P2ImMessageReceiveV1Data'].properties.seen_by).toEqual({ $ref: '#/definitions/P2ImMessageReceiveV1SeenBy', 'x-lark-source': 'captured' });
    expect(defs(again)['P2ImMessageReceiveV1SeenBy'].properties.count).toEqual({ type: 'integer' });
  });

  it('keeps what `lark-events learn --write` wrote: nullable refs and fields, enum values, new properties with their definitions', async () => {
    const out = mkdtempSync(join(tmpdir(), 'captured-learn-'));
    cpSync(join(ROOT, 'schemas/common'), join(out, 'common'), { recursive: true });
    await importPages([PAGE], options(out));
    const imported = JSON.parse(readFileSync(FILE(out), 'utf8')) as Obj;
    const payload = structuredClone(imported.examples[0]) as Obj;
    payload.event.message.chat_id = null;
    payload.event.message.chat_type = 'topic_group';
    payload.event.message.reply_context = { quoted: { depth: 2 } };
    payload.event.sender = null;
    const before = new SchemaIndex(loadSchemas(out));
    const learned = plan(diffPayload(before, payload, 'captured.json'));
    expect(learned.changes.map((c) => c.kind).sort()).toEqual(['add-enum-value', 'add-property', 'allow-null', 'allow-null']);
    applyPlan(out, learned.changes, before.titles());
    expect(diffPayload(new SchemaIndex(loadSchemas(out)), payload, 'captured.json')).toEqual([]);

    await importPages([PAGE], options(out));
    expect(diffPayload(new SchemaIndex(loadSchemas(out)), payload, 'captured.json')).toEqual([]);
    const data = defs(JSON.parse(readFileSync(FILE(out), 'utf8')) as Obj)['P2ImMessageReceiveV1Data'].properties;
    expect(data.sender.anyOf).toEqual([{ $ref: '#/definitions/P2ImMessageReceiveV1EventSender' }, { type: 'null' }]);
  });

  it('keeps a const a capture turned into an enum, and drops a rule captured values broke', () => {
    const page: JsonObject = { title: 'A', type: 'object', properties: { k: { type: 'string', const: 'x' }, s: { type: 'string', maxLength: 4, description: 'page' } } };
    const existing: JsonObject = { title: 'A', type: 'object', properties: { k: { type: 'string', enum: ['x', 'y'], 'x-lark-source': 'captured' }, s: { type: 'string', description: 'page', 'x-lark-source': 'captured' } } };
    const props = mergeCaptured(page, existing).schema['properties'] as Obj;
    expect(props['k']).toEqual({ type: 'string', enum: ['x', 'y'], 'x-lark-source': 'captured' });
    expect(props['s']).toEqual({ type: 'string', description: 'page', 'x-lark-source': 'captured' });
  });

  it('leaves a schema without captured nodes as the page makes it', () => {
    const page: JsonObject = { title: 'A', type: 'object', properties: { a: { type: 'string' } } };
    const existing: JsonObject = { title: 'A', type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } } };
    expect(mergeCaptured(page, existing)).toEqual({ schema: page, kept: false });
  });

  it('drops nothing the page says: a captured type joins the page type', () => {
    const page: JsonObject = { title: 'A', type: 'object', properties: { a: { type: 'string', enum: ['x'] } } };
    const existing: JsonObject = { title: 'A', type: 'object', properties: { a: { type: 'string', enum: ['y'], 'x-lark-source': 'captured', 'x-lark-note': 'seen 3 times' } } };
    const { schema } = mergeCaptured(page, existing);
    expect((schema['properties'] as Obj)['a']).toEqual({ type: 'string', enum: ['x', 'y'], 'x-lark-source': 'captured', 'x-lark-note': 'seen 3 times' });
  });
});
