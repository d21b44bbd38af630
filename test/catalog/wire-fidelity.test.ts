import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../../codegen/load.js';
import { isObject, type Json } from '../../codegen/schema-file.js';
import { validate } from '../../src/index.js';
import { repo } from '../helpers.js';

const CAPTURED = path.join(repo, 'test/fixtures/captured');

function admitsNull(node: Json): boolean {
  if (!isObject(node)) return false;
  const t = node['type'];
  if (t === 'null' || (Array.isArray(t) && t.includes('null'))) return true;
  if (Array.isArray(node['anyOf'])) return node['anyOf'].some(admitsNull);
  return t === undefined && node['$ref'] === undefined;
}

/** JSON pointers of every schema node that carries x-lark-field-permissions. */
function permissionFields(node: Json, pointer: string, out: Array<{ pointer: string; node: Json }>): typeof out {
  if (Array.isArray(node)) node.forEach((n, i) => permissionFields(n, `${pointer}/${i}`, out));
  else if (isObject(node)) {
    if (Array.isArray(node['x-lark-field-permissions'])) out.push({ pointer, node });
    for (const [k, v] of Object.entries(node)) if (k !== 'examples' && k !== 'x-lark') permissionFields(v, `${pointer}/${k}`, out);
  }
  return out;
}

describe('the nullability rule (schemas/README.md)', () => {
  const schemas = loadSchemas(path.join(repo, 'schemas'));
  const fields = schemas.flatMap((s) => permissionFields(s.json, '', []).map((f) => ({ ...f, rel: s.rel })));

  it('finds fields the platform withholds without a scope', () => {
    expect(fields.length).toBeGreaterThan(0);
  });

  it('lets every such field arrive as null', () => {
    expect(fields.filter((f) => !admitsNull(f.node)).map((f) => `${f.rel}#${f.pointer}`)).toEqual([]);
  });

  it('types them | null', () => {
    const common = readFileSync(path.join(repo, 'generated/common/types.ts'), 'utf8');
    expect(common).toMatch(/user_id\??: string \| null/);
  });

  it.each([['default', false], ['strict', true]] as const)('accepts user_id as null, "" or absent in sender and mentions (%s mode)', async (_mode, strict) => {
    const base = JSON.parse(readFileSync(path.join(CAPTURED, 'im.message.receive_v1.user-id-null.json'), 'utf8')) as {
      event: { sender: { sender_id: Record<string, unknown> }; message: { mentions: Array<{ id: Record<string, unknown> }> } };
    };
    for (const value of [null, '', undefined]) {
      const copy = structuredClone(base);
      for (const ids of [copy.event.sender.sender_id, ...copy.event.message.mentions.map((m) => m.id)]) {
        if (value === undefined) delete ids['user_id'];
        else ids['user_id'] = value;
      }
      const r = await validate(copy, { strict });
      expect(r.errors, String(value)).toEqual([]);
    }
  });

  it('still rejects a user_id of another type, naming its pointer', async () => {
    const copy = JSON.parse(readFileSync(path.join(CAPTURED, 'im.message.receive_v1.user-id-null.json'), 'utf8')) as { event: { sender: { sender_id: Record<string, unknown> } } };
    copy.event.sender.sender_id['user_id'] = 42;
    const r = await validate(copy, { strict: true });
    expect(r.valid).toBe(false);
    expect(r.errors.map((e) => e.pointer)).toContain('/event/sender/sender_id/user_id');
  });
});

describe('captured deliveries (test/fixtures/captured)', () => {
  const files = readdirSync(CAPTURED).filter((f) => f.endsWith('.json')).sort();

  it.each(files.flatMap((f) => [[f, false], [f, true]] as const))('%s is valid (strict: %s)', async (file, strict) => {
    const payload = JSON.parse(readFileSync(path.join(CAPTURED, file), 'utf8')) as unknown;
    const r = await validate(payload, { strict });
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('types mentions[].bot_info and the v1 message extras', () => {
    const im = readFileSync(path.join(repo, 'generated/im/types.ts'), 'utf8');
    expect(im).toMatch(/bot_info\?: P2ImMessageReceiveV1BotInfo/);
    const v1 = readFileSync(path.join(repo, 'generated/v1/types.ts'), 'utf8');
    for (const k of ['lark_version', 'user_agent', 'user_open_id', 'message_id']) expect(v1).toContain(`${k}?: string`);
  });
});
