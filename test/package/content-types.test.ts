import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repo, tmpDir } from '../helpers.js';

// Consumer type tests against the packed tarball: message content narrowing, per-event header
// literals, required fields and message_type narrowing, compiled with strict and with strict +
// exactOptionalPropertyTypes.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const root = tmpDir('content-consumers');

const GOOD = (from: string) => `import type { LarkEvent, P2ImMessageReceiveV1 } from '${from}';
import { isEventType, parseMessageContent } from '${from}';

export function read(e: P2ImMessageReceiveV1): string {
  const m = e.event.message;
  if (!m?.message_type || m.content === undefined) return '';
  const p = parseMessageContent({ message_type: m.message_type, content: m.content });
  switch (p.message_type) {
    case 'text': return p.content.text;
    case 'post': return p.content.title + p.content.content.flat().map((el) => (el.tag === 'text' ? el.text : el.tag === 'img' ? el.image_key : '')).join('');
    case 'image': return p.content.image_key;
    default: { const raw: unknown = p.content; return String(raw); }
  }
}

export function ifChain(message: { message_type: string; content: string }): string {
  const p = parseMessageContent(message);
  if (p.message_type === 'text') return p.content.text;
  if (p.message_type === 'image') return p.content.image_key;
  return p.message_type;
}

// A literal message_type narrows directly, with no check.
export const direct: string = parseMessageContent({ message_type: 'image', content: '{}' }).content.image_key;
export const api: string = parseMessageContent({ msg_type: 'text' as const, body: { content: '{}' } }).content.text;

export function route(e: LarkEvent): string {
  if ('header' in e) {
    const t: string = e.header.event_type;
    switch (e.header.event_type) {
      case 'im.message.receive_v1': return e.header.event_type satisfies 'im.message.receive_v1';
      default: return t;
    }
  }
  if (isEventType(e, 'message')) return e.event.type;
  return e.event.type;
}

export function receive(e: LarkEvent): string | undefined {
  return isEventType(e, 'im.message.receive_v1') ? e.event.message?.message_id : undefined;
}

export function header(e: P2ImMessageReceiveV1): 'im.message.receive_v1' {
  return e.header.event_type;
}

// What the platform always sends reads without ?., and a switch on message_type narrows it.
export function narrow(e: P2ImMessageReceiveV1): string {
  const id: string = e.event.message.message_id;
  const openId: string = e.event.sender.sender_id.open_id;
  const mentioned: string[] = e.event.message.mentions.map((m) => m.id.open_id);
  const from: 'user' | 'bot' = e.event.sender.sender_type;
  switch (e.event.message.message_type) {
    case 'text': { const t: 'text' = e.event.message.message_type; return t + id + openId + mentioned.join() + from; }
    case 'image': { const t: 'image' = e.event.message.message_type; return t; }
    default: { const rest: Exclude<P2ImMessageReceiveV1['event']['message']['message_type'], 'text' | 'image'> = e.event.message.message_type; return rest; }
  }
}
`;

// The message types the schema lists (schemas/im/…receive_v1.json): the union the type must be exactly.
const receive = JSON.parse(fs.readFileSync(path.join(repo, 'schemas/im/im.message.receive_v1.json'), 'utf8')) as {
  definitions: { P2ImMessageReceiveV1EventMessage: { properties: { message_type: { enum: string[] } } } };
};
const MESSAGE_TYPES = receive.definitions.P2ImMessageReceiveV1EventMessage.properties.message_type.enum;

/** A switch over `message_type` with a case per type and an exhaustive `never` default. */
const EXHAUSTIVE = (types: readonly string[]) => `import type { P2ImMessageReceiveV1 } from 'lark-event-catalog';
export function kind(e: P2ImMessageReceiveV1): number {
  const t = e.event.message.message_type;
  switch (t) {
${types.map((v, i) => `    case '${v}': return ${i};`).join('\n')}
    default: { const rest: never = t; return rest; }
  }
}
`;

const HANDLER = `import { EventDispatcher } from 'lark-event-catalog';
const opened: string[] = [];
export const dispatcher = new EventDispatcher().register_p2_im_message_receive_v1(async (e) => opened.push(e.event.sender.sender_id.open_id, e.event.message.message_id));
`;

const BAD = (from: string) => `import { parseMessageContent } from '${from}';
const p = parseMessageContent({ message_type: 'text', content: '{"text":"hi"}' });
export const misspelled: string = p.content.txt;
declare const message: { message_type: string; content: string };
const q = parseMessageContent(message);
export const wrongType: string = q.message_type === 'image' ? q.content.image_keys : '';
export const wrongHeader = (e: import('${from}').P2ImMessageReceiveV1): 'im.chat.updated_v1' => e.header.event_type;
export const unnarrowed = (e: import('${from}').P2ImMessageReceiveV1): 'text' => e.event.message.message_type;
`;

function compile(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

function project(name: string, exact: boolean, files: Record<string, string>): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, exactOptionalPropertyTypes: exact, noEmit: true, types: [], module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022' }, include: Object.keys(files) }));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

beforeAll(() => {
  const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', root], { cwd: repo, encoding: 'utf8' })) as Array<{ filename: string }>;
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'content-consumers', private: true }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', path.join(root, packed[0]?.filename ?? '')], { cwd: root, stdio: 'pipe' });
}, 240_000);

describe.each([false, true])('a consumer of the tarball (exactOptionalPropertyTypes: %s)', (exact) => {
  for (const from of ['lark-event-catalog', 'lark-event-catalog/im']) {
    it(`narrows parseMessageContent's result for text, post and image, from ${from}`, () => {
      const good = from === 'lark-event-catalog' ? GOOD(from) : GOOD(from).replace(/^import \{ isEventType, parseMessageContent \}.*$/m, `import { parseMessageContent } from '${from}';\nimport { isEventType } from 'lark-event-catalog';`).replace(`import type { LarkEvent, P2ImMessageReceiveV1 } from '${from}';`, `import type { P2ImMessageReceiveV1 } from '${from}';\nimport type { LarkEvent } from 'lark-event-catalog';`);
      const r = compile(project(`good-${exact}-${from.replace(/\W/g, '-')}`, exact, { 'index.ts': good }));
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
    }, 120_000);
  }

  it('rejects a misspelled content field, a field of the wrong message type and a wrong event type literal', () => {
    const r = compile(project(`bad-${exact}`, exact, { 'bad.ts': BAD('lark-event-catalog') }));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/bad\.ts\(3,\d+\): error TS2(339|551): Property 'txt' does not exist on type 'TextContent'/);
    expect(r.out).toMatch(/bad\.ts\(6,\d+\): error TS2\d+: Property 'image_keys' does not exist on type 'ImageContent'/);
    expect(r.out).toMatch(/bad\.ts\(7,\d+\): error TS2322: Type '"im\.message\.receive_v1"' is not assignable to type '"im\.chat\.updated_v1"'/);
    // Outside a narrowing check, message_type is the whole union, not one literal.
    expect(r.out).toMatch(/bad\.ts\(8,\d+\): error TS2322: Type '"[a-z_]+" \| "[a-z_]+" \|[^']*' is not assignable to type '"text"'/);
  }, 120_000);

  it('types message_type as exactly the union of the message types: a switch over all of them is exhaustive, a handler may return a value', () => {
    const r = compile(project(`exhaustive-${exact}`, exact, { 'switch.ts': EXHAUSTIVE(MESSAGE_TYPES), 'handler.ts': HANDLER }));
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('fails the exhaustive switch when a message type is left out, and a misspelled case label', () => {
    const last = MESSAGE_TYPES[MESSAGE_TYPES.length - 1] as string;
    const missing = compile(project(`missing-${exact}`, exact, { 'switch.ts': EXHAUSTIVE(MESSAGE_TYPES.slice(0, -1)) }));
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(new RegExp(`switch\\.ts\\(\\d+,\\d+\\): error TS2322: Type '"${last}"' is not assignable to type 'never'`));
    const misspelled = compile(project(`misspelled-${exact}`, exact, { 'switch.ts': EXHAUSTIVE(MESSAGE_TYPES.map((t) => (t === 'text' ? 'txt' : t))) }));
    expect(misspelled.code).not.toBe(0);
    expect(misspelled.out).toMatch(/switch\.ts\(\d+,\d+\): error TS2678: Type '"txt"' is not comparable to type/);
  }, 120_000);
});
