import { describe, it, expect } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { domainPascal, editSchemaText, hoistDomain, hoistFiles, isHoistedShared, unhoistEvent, type DomainEvent } from '../../../codegen/import/hoist.js';
import { importPages, serializeSchema } from '../../../codegen/import/index.js';
import type { JsonObject } from '../../../codegen/schema-file.js';
import type { Problem } from '../../../codegen/import/parse-page.js';
import { closeObjects, strictAjv } from './strict-ajv.js';

const ROOT = join(import.meta.dirname, '../../..');
const DOCS = join(import.meta.dirname, '../../fixtures/lark-docs');

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;
const defs = (s: unknown): Obj => obj(obj(s)['definitions']);
const props = (d: unknown): Obj => obj(obj(d)['properties']);

const str = (description?: string): JsonObject => (description ? { type: 'string', description } : { type: 'string' });

/** A per-event schema as the importer writes it: `body` are the Data properties, `sub` the other definitions by suffix. */
function event(eventType: string, body: JsonObject, sub: Record<string, JsonObject>, source = `events/demo/${eventType}.md`): JsonObject {
  const typeName = 'P2' + eventType.split(/[._]/).map((t) => t.charAt(0).toUpperCase() + t.slice(1)).join('');
  const local = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replace(/#\/definitions\/@/g, `#/definitions/${typeName}`));
  const definitions: JsonObject = { [`${typeName}Data`]: { title: `${typeName}Data`, type: 'object', properties: local(body) as JsonObject } };
  for (const s of Object.keys(sub).sort()) definitions[typeName + s] = { title: typeName + s, type: 'object', properties: local(sub[s]) as JsonObject };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://lark-event-catalog.dev/schemas/demo/${eventType}.json`,
    title: typeName,
    description: eventType,
    'x-lark': { event_type: eventType, kind: 'p2', register_method: `register_p2_${eventType.replace(/\./g, '_')}`, source },
    type: 'object',
    required: ['schema', 'header', 'event'],
    properties: {
      schema: { type: 'string', const: '2.0' },
      header: { $ref: '../common/event_header.json' },
      event: { $ref: `#/definitions/${typeName}Data` },
    },
    definitions,
    examples: [{ schema: '2.0', header: {}, event: {} }],
  };
}

const user = (d = '用户 ID'): JsonObject => ({ id: str(d), name: str('姓名') });
const withUser = { user: { $ref: '#/definitions/@User', description: '操作人' } };

describe('domainPascal', () => {
  it('PascalCases the domain', () => {
    expect(domainPascal('meeting_room')).toBe('MeetingRoom');
    expect(domainPascal('v1')).toBe('V1');
    expect(domainPascal('security_and_compliance')).toBe('SecurityAndCompliance');
    expect(domainPascal('contact')).toBe('Contact');
  });
});

describe('hoistDomain', () => {
  it('moves a definition two events declare with the same shape to definitions.json, and refers to it', () => {
    const a = event('demo.thing.created_v1', withUser, { User: user() });
    const b = event('demo.thing.deleted_v1', { who: { $ref: '#/definitions/@User' } }, { User: user('ID (other wording)') });
    const r = hoistDomain('demo', [{ schema: a }, { schema: b }]);
    expect(r.hoisted).toEqual(['DemoUser']);
    expect(r.shared?.['title']).toBe('DemoDefinitions');
    expect(r.shared?.['$id']).toBe('https://lark-event-catalog.dev/schemas/demo/definitions.json');
    expect(isHoistedShared('demo', r.shared as JsonObject)).toBe(true);
    // The first event in event-type order gives the descriptions; the title is the shared name.
    expect(defs(r.shared)['DemoUser']).toEqual({ title: 'DemoUser', type: 'object', properties: user() });
    const [ha, hb] = r.events;
    expect(Object.keys(defs(ha))).toEqual(['P2DemoThingCreatedV1Data']);
    expect(Object.keys(defs(hb))).toEqual(['P2DemoThingDeletedV1Data']);
    // A $ref keeps its own description.
    expect(props(defs(ha)['P2DemoThingCreatedV1Data'])['user']).toEqual({ $ref: 'definitions.json#/definitions/DemoUser', description: '操作人' });
    expect(props(defs(hb)['P2DemoThingDeletedV1Data'])['who']).toEqual({ $ref: 'definitions.json#/definitions/DemoUser' });
    // Examples are data: untouched.
    expect(obj(ha)['examples']).toEqual(a['examples']);
  });

  it('shares a definition only between events whose required sets agree (presence is part of the shape)', () => {
    const ids = { union_id: str('union id'), open_id: str('open id') };
    const withIds = { sender_id: { $ref: '#/definitions/@UserId' } };
    const required = (schema: JsonObject, keys: string[]): JsonObject => {
      const name = Object.keys(defs(schema)).find((k) => k.endsWith('UserId')) as string;
      obj(defs(schema)[name])['required'] = keys;
      return schema;
    };
    const a = required(event('demo.a_v1', withIds, { UserId: ids }), ['union_id', 'open_id']);
    const b = required(event('demo.b_v1', withIds, { UserId: ids }), ['union_id', 'open_id']);
    const c = required(event('demo.c_v1', withIds, { UserId: ids }), ['open_id']);
    const r = hoistDomain('demo', [{ schema: a }, { schema: b }, { schema: c }]);
    expect(r.hoisted).toEqual(['DemoUserId']);
    expect(obj(defs(r.shared)['DemoUserId'])['required']).toEqual(['union_id', 'open_id']);
    const [, , hc] = r.events;
    expect(obj(defs(hc)['P2DemoCV1UserId'])['required']).toEqual(['open_id']);
    expect(props(defs(hc)['P2DemoCV1Data'])['sender_id']).toEqual({ $ref: '#/definitions/P2DemoCV1UserId' });
  });

  it('leaves a shape that differs per event, and hoists the most common one of a name', () => {
    const a = event('demo.a_v1', withUser, { User: user() });
    const b = event('demo.b_v1', withUser, { User: user() });
    const c = event('demo.c_v1', withUser, { User: { id: str(), name: { type: 'integer' } } });
    const d = event('demo.d_v1', withUser, { Other: { x: str() } });
    const r = hoistDomain('demo', [{ schema: c }, { schema: a }, { schema: b }, { schema: d }]);
    expect(r.hoisted).toEqual(['DemoUser']);
    expect(defs(r.shared)['DemoUser']).toEqual({ title: 'DemoUser', type: 'object', properties: user() });
    const [hc, ha, , hd] = r.events;
    expect(Object.keys(defs(hc))).toEqual(['P2DemoCV1Data', 'P2DemoCV1User']);
    expect(props(defs(hc)['P2DemoCV1Data'])['user']).toEqual({ $ref: '#/definitions/P2DemoCV1User', description: '操作人' });
    expect(Object.keys(defs(ha))).toEqual(['P2DemoAV1Data']);
    expect(hd).toBe(d);
  });

  it('never hoists a definition only one event has, nor the event bodies', () => {
    const a = event('demo.a_v1', { x: str() }, { Only: { y: str() } });
    const b = event('demo.b_v1', { x: str() }, {});
    const r = hoistDomain('demo', [{ schema: a }, { schema: b }]);
    expect(r.hoisted).toEqual([]);
    expect(r.shared).toBeNull();
    expect(r.events).toEqual([a, b]);
  });

  it('hoists nested definitions together, rewriting refs inside definitions.json to local ones', () => {
    const sub = { Meeting: { topic: str(), host: { $ref: '#/definitions/@User', description: '主持人' } }, User: user() };
    const a = event('demo.a_v1', { meeting: { $ref: '#/definitions/@Meeting' } }, sub);
    const b = event('demo.b_v1', { meeting: { $ref: '#/definitions/@Meeting' } }, sub);
    const r = hoistDomain('demo', [{ schema: a }, { schema: b }]);
    expect(r.hoisted).toEqual(['DemoMeeting', 'DemoUser']);
    expect(props(defs(r.shared)['DemoMeeting'])['host']).toEqual({ $ref: '#/definitions/DemoUser', description: '主持人' });
    expect(Object.keys(defs(r.events[0]))).toEqual(['P2DemoAV1Data']);
  });

  it('keeps a definition per event when a definition it refers to is not shared (fixpoint)', () => {
    const meeting = { topic: str(), host: { $ref: '#/definitions/@User' } };
    const body = { meeting: { $ref: '#/definitions/@Meeting' } };
    // Meeting is the same in a and b, but a's User differs from b's: neither moves.
    const a = event('demo.a_v1', body, { Meeting: meeting, User: user() });
    const b = event('demo.b_v1', body, { Meeting: meeting, User: { id: { type: 'integer' } } });
    expect(hoistDomain('demo', [{ schema: a }, { schema: b }]).hoisted).toEqual([]);
    // With a third event that agrees with a on both, a and c share both; b keeps its own two.
    const c = event('demo.c_v1', body, { Meeting: meeting, User: user() });
    const r = hoistDomain('demo', [{ schema: a }, { schema: b }, { schema: c }]);
    expect(r.hoisted).toEqual(['DemoMeeting', 'DemoUser']);
    expect(Object.keys(defs(r.events[1]))).toEqual(['P2DemoBV1Data', 'P2DemoBV1Meeting', 'P2DemoBV1User']);
    expect(props(defs(r.events[1])['P2DemoBV1Meeting'])['host']).toEqual({ $ref: '#/definitions/P2DemoBV1User' });
    // The other way round: Meeting is the same in all three, User in b and b2 only. a's Meeting
    // refers to a User that stays in a, so a keeps both; b and b2 share both.
    const b2 = event('demo.b2_v1', body, { Meeting: meeting, User: { id: { type: 'integer' } } });
    const r2 = hoistDomain('demo', [{ schema: a }, { schema: b }, { schema: b2 }]);
    expect(r2.hoisted).toEqual(['DemoMeeting', 'DemoUser']);
    expect(Object.keys(defs(r2.events[0]))).toEqual(['P2DemoAV1Data', 'P2DemoAV1Meeting', 'P2DemoAV1User']);
    expect(props(defs(r2.events[0])['P2DemoAV1Meeting'])['host']).toEqual({ $ref: '#/definitions/P2DemoAV1User' });
    expect(Object.keys(defs(r2.events[1]))).toEqual(['P2DemoBV1Data']);
    expect(props(defs(r2.shared)['DemoMeeting'])['host']).toEqual({ $ref: '#/definitions/DemoUser' });
  });

  it('does not depend on the order of the events, and turns back into the per-event form', () => {
    const evs = [
      event('demo.c_v1', withUser, { User: user('c') }),
      event('demo.a_v1', { ...withUser, tag: { $ref: '#/definitions/@Tag' } }, { User: user('a'), Tag: { t: str() } }),
      // A definition nothing refers to is not shared (it could not be brought back).
      event('demo.d_v1', withUser, { User: user('d'), Tag: { t: str() } }),
      event('demo.b_v1', { ...withUser, tag: { $ref: '#/definitions/@Tag' } }, { User: user('b'), Tag: { t: str() } }),
    ];
    const r1 = hoistDomain('demo', evs.map((schema) => ({ schema })));
    const r2 = hoistDomain('demo', [...evs].reverse().map((schema) => ({ schema })));
    expect(JSON.stringify(r2.shared)).toBe(JSON.stringify(r1.shared));
    expect(r2.events.map((e) => serializeSchema(e))).toEqual([...r1.events].reverse().map((e) => serializeSchema(e)));
    expect(props(defs(r1.shared)['DemoUser'])['id']).toEqual(str('a'));
    expect(r1.hoisted).toEqual(['DemoTag', 'DemoUser']);
    expect(Object.keys(defs(r1.events[2]))).toEqual(['P2DemoDV1Data', 'P2DemoDV1Tag']);
    // Un-hoisting gives the per-event form (with the shared descriptions), and hoisting that again the same files.
    const back = r1.events.map((e) => unhoistEvent(e, 'demo', defs(r1.shared) as JsonObject));
    expect(back.map((e) => Object.keys(defs(e)))).toEqual(evs.map((e) => Object.keys(defs(e))));
    const again = hoistDomain('demo', back.map((schema) => ({ schema })));
    expect(again.events.map((e) => serializeSchema(e))).toEqual(r1.events.map((e) => serializeSchema(e)));
    expect(serializeSchema(again.shared as JsonObject)).toBe(serializeSchema(r1.shared as JsonObject));
  });

  it('moves a locked (SDK-derived, hand-written) definition only when its descriptions equal the shared one', () => {
    const a = event('demo.a_v1', withUser, { User: user() });
    const b = event('demo.b_v1', withUser, { User: user() });
    const same: DomainEvent = { schema: event('demo.c_v1', withUser, { User: user() }, 'node-sdk'), locked: true };
    const reworded: DomainEvent = { schema: event('demo.d_v1', withUser, { User: user('hand-written') }, 'node-sdk'), locked: true };
    const r = hoistDomain('demo', [{ schema: a }, { schema: b }, same, reworded]);
    expect(r.hoisted).toEqual(['DemoUser']);
    expect(Object.keys(defs(r.events[2]))).toEqual(['P2DemoCV1Data']);
    expect(Object.keys(defs(r.events[3]))).toEqual(['P2DemoDV1Data', 'P2DemoDV1User']);
    // Locked events that agree with each other: their wording is the one shared.
    const e = { schema: event('demo.e_v1', withUser, { User: user('hand-written') }, 'node-sdk'), locked: true };
    const r2 = hoistDomain('demo', [{ schema: a }, reworded, e]);
    expect(props(defs(r2.shared)['DemoUser'])['id']).toEqual(str('hand-written'));
    expect(r2.moved.map((m) => m.size)).toEqual([1, 1, 1]);
  });
});

describe('editSchemaText', () => {
  const compact = (s: JsonObject): string => {
    // A hand-formatted file: one line per definition property.
    const d = defs(s);
    const lines = Object.entries(d).map(([k, v]) => `    ${JSON.stringify(k)}: {\n      "title": ${JSON.stringify(obj(v)['title'])}, "type": "object",\n      "properties": ${JSON.stringify(obj(v)['properties'])}\n    }`);
    const rest = { ...s };
    delete rest['definitions'];
    const head = JSON.stringify(rest, null, 2).replace(/\n}$/, '');
    return `${head},\n  "definitions": {\n${lines.join(',\n')}\n  }\n}\n`;
  };

  it('moves definitions out of (and back into) a file, keeping the formatting of the rest', () => {
    const c = event('demo.c_v1', withUser, { User: user(), Zone: { z: str() } }, 'node-sdk');
    const text = compact(c);
    const r = hoistDomain('demo', [{ schema: event('demo.a_v1', withUser, { User: user() }) }, { schema: c, locked: true }]);
    const edited = editSchemaText(text, r.events[1] as JsonObject, 'demo');
    expect(edited).not.toBeNull();
    expect(JSON.parse(edited as string)).toEqual(r.events[1]);
    expect(edited).toContain('"P2DemoCV1Zone": {\n      "title": "P2DemoCV1Zone", "type": "object",\n      "properties": {"z":{"type":"string"}}\n    }');
    expect(edited).not.toContain('P2DemoCV1User');
    // Back: the shared definition comes back into the file (formatted as the importer writes).
    const back = unhoistEvent(JSON.parse(edited as string) as JsonObject, 'demo', defs(r.shared) as JsonObject);
    const restored = editSchemaText(edited as string, back, 'demo');
    expect(JSON.parse(restored as string)).toEqual(JSON.parse(text));
    expect(restored).toContain('"P2DemoCV1Zone": {\n      "title": "P2DemoCV1Zone", "type": "object",');
  });
});

describe('importPages hoists per domain', () => {
  const pages = ['created', 'updated', 'deleted'].map((p) => join(DOCS, `events/contact-v3/user/events/${p}.md`));
  const options = (outDir: string) => ({ outDir, catalogPath: join(ROOT, 'schemas/catalog.tsv'), commonDir: join(ROOT, 'schemas/common') });

  it('writes contact/definitions.json, and events that validate their examples through it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hoist-contact-'));
    const r = await importPages(pages, options(out));
    expect(readdirSync(join(out, 'contact')).sort()).toEqual(['contact.user.created_v3.json', 'contact.user.deleted_v3.json', 'contact.user.updated_v3.json', 'definitions.json']);
    const names = r.shared.get('contact') ?? [];
    expect(names).toContain('ContactUserEvent');
    expect(names.every((n) => n.startsWith('Contact'))).toBe(true);
    const shared = JSON.parse(readFileSync(join(out, 'contact', 'definitions.json'), 'utf8')) as JsonObject;
    expect(Object.keys(defs(shared))).toEqual(names);
    const ajv = strictAjv();
    ajv.addSchema(closeObjects(shared) as object);
    for (const f of ['created', 'updated', 'deleted']) {
      const schema = JSON.parse(readFileSync(join(out, 'contact', `contact.user.${f}_v3.json`), 'utf8')) as JsonObject;
      expect(JSON.stringify(schema)).toContain('"definitions.json#/definitions/ContactUserEvent"');
      expect(Object.keys(defs(schema)).some((k) => k.endsWith('UserEvent'))).toBe(false);
      const validate = ajv.compile(closeObjects(schema) as object);
      expect(validate((schema['examples'] as unknown[])[0]), ajv.errorsText(validate.errors)).toBe(true);
    }
  });

  it('gives byte-identical files whatever the page order, on re-run, and when one page is re-imported', async () => {
    const a = mkdtempSync(join(tmpdir(), 'hoist-a-'));
    const b = mkdtempSync(join(tmpdir(), 'hoist-b-'));
    await importPages(pages, options(a));
    await importPages([...pages].reverse(), options(b));
    const files = readdirSync(join(a, 'contact')).sort();
    const snapshot = (dir: string) => files.map((f) => readFileSync(join(dir, 'contact', f), 'utf8'));
    expect(snapshot(b)).toEqual(snapshot(a));
    for (const t of snapshot(a)) expect(serializeSchema(JSON.parse(t) as JsonObject)).toBe(t);
    const again = await importPages(pages, options(a));
    expect(again.written.length).toBe(pages.length);
    expect(snapshot(a)).toEqual(snapshot(b));
    // One page alone: the others are read from disk, so the domain stays as it was.
    await importPages([pages[1] as string], options(b));
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('removes its definitions.json when nothing is shared any more, and leaves a hand-written one alone', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hoist-gone-'));
    await importPages(pages.slice(0, 2), options(out));
    expect(existsSync(join(out, 'contact', 'definitions.json'))).toBe(true);
    // Re-importing with one of the events removed from the folder: one user event left.
    const one = mkdtempSync(join(tmpdir(), 'hoist-one-'));
    mkdirSync(join(one, 'contact'));
    cpSync(join(out, 'contact', 'definitions.json'), join(one, 'contact', 'definitions.json'));
    const r = await importPages(pages.slice(0, 1), options(one));
    expect(r.removed).toEqual([join(one, 'contact', 'definitions.json')]);
    expect(readdirSync(join(one, 'contact'))).toEqual(['contact.user.created_v3.json']);

    const hand = mkdtempSync(join(tmpdir(), 'hoist-hand-'));
    mkdirSync(join(hand, 'contact'));
    const handWritten = JSON.stringify({ $id: 'https://lark-event-catalog.dev/schemas/contact/definitions.json', title: 'ContactDefinitions', description: 'by hand', definitions: {} }, null, 2) + '\n';
    writeFileSync(join(hand, 'contact', 'definitions.json'), handWritten);
    const rh = await importPages(pages, options(hand));
    expect(readFileSync(join(hand, 'contact', 'definitions.json'), 'utf8')).toBe(handWritten);
    expect(rh.problems.some((p) => p.severity === 'warning' && /not the importer's/.test(p.message))).toBe(true);
    expect(readFileSync(join(hand, 'contact', 'contact.user.created_v3.json'), 'utf8')).not.toContain('definitions.json#');
  });
});

describe('the repository schemas', () => {
  it('are as the hoisting pass leaves them (re-running it changes nothing)', () => {
    const schemasDir = join(ROOT, 'schemas');
    const domains = readdirSync(schemasDir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'common' && d.name !== 'callback').map((d) => d.name);
    const produced = domains.flatMap((domain) => readdirSync(join(schemasDir, domain))
      .filter((f) => f.endsWith('.json') && f !== 'definitions.json')
      .map((f) => ({ file: join(schemasDir, domain, f), domain, text: readFileSync(join(schemasDir, domain, f), 'utf8') }))
      .filter((p) => {
        const source = String(obj(obj(JSON.parse(p.text))['x-lark'])['source']);
        return /^(events\/|note: same shape as )/.test(source) && serializeSchema(JSON.parse(p.text) as JsonObject) === p.text;
      }));
    // Feed the importer's own files back in as if produced (in their per-event form).
    const problems: Problem[] = [];
    const byDomain = new Map<string, JsonObject>();
    for (const d of domains) {
      const f = join(schemasDir, d, 'definitions.json');
      byDomain.set(d, existsSync(f) ? defs(JSON.parse(readFileSync(f, 'utf8'))) as JsonObject : {});
    }
    const r = hoistFiles(schemasDir, produced.map((p) => ({ file: p.file, domain: p.domain, schema: unhoistEvent(JSON.parse(p.text) as JsonObject, p.domain, byDomain.get(p.domain) as JsonObject) })), problems);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.remove).toEqual([]);
    for (const [file, text] of r.texts) expect(text, file).toBe(readFileSync(file, 'utf8'));
    expect([...r.hoisted.keys()].length).toBeGreaterThan(5);
  });
});
