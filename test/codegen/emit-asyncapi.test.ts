import fs from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import type { AsyncAPIDocumentInterface, Diagnostic } from '@asyncapi/parser';
import Ajv from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { domainOf, readCatalog } from '../../codegen/catalog.js';
import { emitAsyncApi } from '../../codegen/emit-asyncapi.js';
import { BANNER_TEXT } from '../../codegen/generate.js';
import { lint } from '../../codegen/lint.js';
import { loadSchemas } from '../../codegen/load.js';
import { buildModel } from '../../codegen/model.js';
import { example, repo } from '../helpers.js';

const file = path.join(repo, 'generated', 'asyncapi.json');
const text = fs.readFileSync(file, 'utf8');
const raw = JSON.parse(text) as {
  channels: Record<string, { messages: Record<string, unknown> }>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string }>; messages: Record<string, { 'x-lark'?: Record<string, unknown>; examples?: Array<{ payload: unknown }> }> };
};
const rows = readCatalog(path.join(repo, 'schemas', 'catalog.tsv'));
const callbacks = rows.filter((r) => r.kind === 'callback');
// The severities of @stoplight/types' DiagnosticSeverity: 0 error, 1 warning.
const ERROR = 0;
const DOC_ID = 'https://lark-event-catalog.invalid/asyncapi.json';

describe('generated/asyncapi.json', () => {
  let document: AsyncAPIDocumentInterface | undefined;
  let diagnostics: Diagnostic[] = [];
  beforeAll(async () => {
    ({ document, diagnostics } = await new Parser().parse(text));
  }, 180_000);

  it('parses with @asyncapi/parser with no errors', () => {
    const errors = diagnostics.filter((d) => d.severity === ERROR).map((d) => `${d.path.join('/')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('has one message per catalog row on each delivery channel, and one answer per callback', () => {
    const doc = document as AsyncAPIDocumentInterface;
    const names = (channel: string): string[] => doc.channels().get(channel)?.messages().all().map((m) => m.name() ?? '').sort() ?? [];
    const expected = rows.map((r) => r.eventType).sort();
    expect(names('webhook')).toEqual(expected);
    expect(names('longConnection')).toEqual(expected);
    expect(names('webhookResponse')).toEqual(callbacks.map((r) => `${r.eventType}.response`).sort());
    expect(doc.messages().length).toBe(rows.length + callbacks.length);
  });

  it('gives every callback an operation with a reply on both channels', () => {
    const doc = document as AsyncAPIDocumentInterface;
    for (const r of callbacks) {
      const ops = doc.operations().all().filter((op) => op.messages().all().some((m) => m.name() === r.eventType));
      expect(ops.map((op) => op.channels().all()[0]?.id()).sort()).toEqual(['longConnection', 'webhook']);
      for (const op of ops) {
        const reply = op.reply();
        expect(reply?.messages().all().map((m) => m.name())).toEqual([`${r.eventType}.response`]);
        expect(reply?.messages().all()[0]?.payload()?.type()).toBe('object');
      }
    }
  });

  it('carries the webhook security schemes and the long-connection credentials', () => {
    const doc = document as AsyncAPIDocumentInterface;
    const webhook = doc.servers().get('webhook');
    expect(webhook?.protocol()).toBe('https');
    const schemes = webhook?.security().flatMap((req) => req.all().map((s) => s.scheme().json()));
    const declared = raw.components.securitySchemes;
    expect(schemes).toEqual([declared.verificationToken, declared.signature, declared.encryptKey]);
    expect(declared.encryptKey?.type).toBe('symmetricEncryption');
    const signature = doc.components().securitySchemes().get('signature');
    expect([signature?.type(), signature?.in(), signature?.name()]).toEqual(['httpApiKey', 'header', 'X-Lark-Signature']);
    expect(doc.servers().get('feishu')?.protocol()).toBe('wss');
  });

  it('resolves payload $refs into the schema of schemas/ (required marks, enums, permissions)', () => {
    const doc = document as AsyncAPIDocumentInterface;
    const source = JSON.parse(fs.readFileSync(path.join(repo, 'schemas', 'im', 'im.message.receive_v1.json'), 'utf8')) as {
      'x-lark': { permissions: string[] };
      definitions: Record<string, { required?: string[]; properties: Record<string, { enum?: unknown[] }> }>;
    };
    const message = doc.messages().all().find((m) => m.name() === 'im.message.receive_v1');
    const payload = message?.payload();
    expect(payload?.required()).toEqual(['schema', 'header', 'event']);
    const msg = payload?.properties()?.event?.properties()?.message;
    const msgDef = source.definitions.P2ImMessageReceiveV1EventMessage;
    expect(msg?.required()).toEqual(msgDef?.required);
    expect(msg?.properties()?.chat_type?.enum()).toEqual(msgDef?.properties.chat_type?.enum);
    expect(payload?.properties()?.header?.properties()?.event_id?.type()).toBe('string');
    expect((message?.extensions().get('x-lark')?.value() as { permissions: string[] }).permissions).toEqual(source['x-lark'].permissions);
    expect(message?.examples().all()[0]?.payload()).toEqual(example('im', 'im.message.receive_v1'));
  });

  it('every message example validates against its payload schema (so every $ref points at the right component)', () => {
    const ajv = new Ajv.default({ strict: false });
    ajv.addSchema({ $id: DOC_ID, components: { schemas: raw.components.schemas } });
    let checked = 0;
    for (const [name, m] of Object.entries(raw.components.messages)) {
      const payload = (m as { payload: { $ref: string } }).payload;
      const validate = ajv.compile({ $ref: `${DOC_ID}${payload.$ref}` });
      for (const ex of m.examples ?? []) {
        expect(validate(ex.payload), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(rows.length);
    const mutant = example('im', 'im.message.receive_v1') as { event: { message: { chat_type: unknown } } };
    mutant.event.message.chat_type = 42;
    expect(ajv.compile({ $ref: `${DOC_ID}#/components/schemas/P2ImMessageReceiveV1` })(mutant)).toBe(false);
  });

  it('tags each message with its domain and kind, as catalog.tsv says', () => {
    for (const r of rows) {
      const meta = raw.components.messages[r.eventType]?.['x-lark'];
      expect(meta, r.eventType).toMatchObject({ event_type: r.eventType, kind: r.kind, domain: domainOf(r.eventType, r.kind), type_name: r.typeName, register_method: r.registerMethod });
    }
  });

  it('is deterministic and up to date with schemas/', () => {
    const schemas = loadSchemas(path.join(repo, 'schemas'));
    const all = new Map(schemas.map((s) => [s.id, s]));
    const { events } = lint(schemas, rows);
    const emit = () => emitAsyncApi(buildModel(events, all), schemas, all, BANNER_TEXT);
    const first = emit();
    expect(emit()).toBe(first);
    expect(first).toBe(text);
  });
});
