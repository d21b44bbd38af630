import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe } from '../../src/cli/commands/serve.js';
import { registerTrigger } from '../../src/cli/commands/trigger.js';
import { CliError } from '../../src/cli/io.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { EventDispatcher, silentLogger } from '../../src/index.js';
import { createNodeHandler } from '../../src/transport/webhook/node-http.js';
import { example, tmpDir } from '../helpers.js';

const TOKEN = 'vt_trigger_test_0123456789';
const APP = { appId: 'cli_trigger_test', appSecret: 'trigger-test-secret' };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface Seen {
  type: string;
  payload: { header?: { token?: string }; token?: string; event: Record<string, unknown> };
}

/** A webhook receiver checking the Verification Token (401 on a wrong one), recording what its handlers get. */
async function receiver(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const record = (type: string) => async (payload: unknown) => {
    seen.push({ type, payload: payload as Seen['payload'] });
  };
  const dispatcher = new EventDispatcher({ logger: silentLogger, validation: 'warn' })
    .register_p2_im_message_receive_v1(record('im.message.receive_v1'))
    .register_p1_message(record('message'));
  const server = http.createServer(createNodeHandler(dispatcher, { verificationToken: TOKEN, path: '/webhook/event', logger: silentLogger }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/event`, seen };
}

async function emulatorFor(webhook: string): Promise<Emulator> {
  const emu = await startEmulator({ ...APP, verificationToken: TOKEN, webhook, redeliveryScheduleMs: [10] });
  cleanups.push(() => emu.close());
  return emu;
}

/** Runs `trigger` in-process: exit code, stdout chunks, or the CliError it threw. */
async function trigger(args: string[]): Promise<{ code: number | undefined; out: string[]; error?: CliError }> {
  const out: string[] = [];
  let code: number | undefined;
  const program = new Command('lark-events').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerTrigger(program, (c) => (code = c), { stdout: (t) => out.push(t) });
  try {
    await program.parseAsync(['trigger', ...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CliError) return { code: err.exitCode, out, error: err };
    throw err;
  }
  return { code, out };
}

const dir = tmpDir('trigger');
const write = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
};

describe('trigger payload.json against a token-checking receiver', () => {
  it('puts the emulator\'s Verification Token into the file\'s header.token (2.0) and token (1.0); --keep-token gets 401', async () => {
    const rx = await receiver();
    const emu = await emulatorFor(rx.url);
    const p2 = example('im', 'im.message.receive_v1') as { header: { token: string } };
    expect(p2.header.token).not.toBe(TOKEN);
    const p2File = write('p2.json', p2);
    const v1 = example('v1', 'message') as { token: string };
    expect(v1.token).not.toBe(TOKEN);
    const v1File = write('v1.json', v1);
    const common = ['--emulator', emu.url, '--via', 'webhook', '--retries', '0', '--wait', 'final'];

    const a = await trigger([p2File, ...common]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out.join(''))).toMatchObject({ code: 200, event_type: 'im.message.receive_v1', via: 'webhook' });
    const b = await trigger([v1File, ...common]);
    expect(b.code).toBe(0);
    expect(rx.seen.map((s) => [s.type, s.payload.header?.token ?? s.payload.token])).toEqual([['im.message.receive_v1', TOKEN], ['message', TOKEN]]);
    // The file itself is left as it was.
    expect((JSON.parse(fs.readFileSync(p2File, 'utf8')) as { header: { token: string } }).header.token).toBe(p2.header.token);

    const kept = await trigger([p2File, ...common, '--keep-token']);
    expect(kept.code).toBe(1);
    expect(JSON.parse(kept.out.join(''))).toMatchObject({ code: 401 });
    expect(rx.seen).toHaveLength(2);
  });

  it('works the same against `lark-events serve --verification-token`', async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const served = await startServe({ port: 0, verificationToken: TOKEN, out, err: new PassThrough() });
    cleanups.push(() => served.close());
    const emu = await emulatorFor(served.url);
    const file = write('serve.json', example('im', 'im.message.receive_v1'));
    const common = ['--emulator', emu.url, '--via', 'webhook', '--retries', '0', '--wait', 'final'];
    expect((await trigger([file, ...common])).code).toBe(0);
    expect(JSON.parse((await trigger([file, ...common, '--keep-token'])).out.join(''))).toMatchObject({ code: 401 });
    // The file's event_id again is a duplicate for the receiver; --fresh gives it a new one.
    expect((await trigger([file, ...common])).code).toBe(0);
    const fresh = JSON.parse((await trigger([file, ...common, '--fresh'])).out.join('')) as { code: number; id: string };
    expect(fresh.code).toBe(200);
    const id = (example('im', 'im.message.receive_v1') as { header: { event_id: string } }).header.event_id;
    expect(fresh.id).not.toBe(id);
    const seen = lines.map((l) => JSON.parse(l) as { event_type: string; id: string; status: string });
    expect(seen.map((l) => [l.id, l.status])).toEqual([[id, 'handled'], [id, 'duplicate'], [fresh.id, 'handled']]);
  });
});

describe('trigger --set', () => {
  it('edits the payload by dotted path (array indices too); the value is JSON when it parses, a string otherwise', async () => {
    const rx = await receiver();
    const emu = await emulatorFor(rx.url);
    const r = await trigger([
      'im.message.receive_v1', '--emulator', emu.url, '--via', 'webhook', '--retries', '0',
      '--set', 'event.message.chat_type=p2p',
      '--set', 'event.message.mentions.0.name=Bob Smith',
      '--set', 'event.message.mentions.1={"key":"@_user_2","name":"Ann"}',
      '--set', 'event.message.content="{\\"text\\":\\"hi\\"}"',
      '--set', 'event.extra_count=3',
    ]);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    const event = rx.seen[0]?.payload.event as { message: { chat_type: string; content: string; mentions: Array<{ name: string; key: string }> }; extra_count: unknown };
    expect(event.message.chat_type).toBe('p2p');
    expect(event.message.mentions.map((m) => m.name)).toEqual(['Bob Smith', 'Ann']);
    expect(event.message.mentions[1]?.key).toBe('@_user_2');
    expect(event.message.content).toBe('{"text":"hi"}');
    expect(event.extra_count).toBe(3);
  });

  it('applies after the token: --set header.token=wrong is refused by the receiver', async () => {
    const rx = await receiver();
    const emu = await emulatorFor(rx.url);
    const r = await trigger(['im.message.receive_v1', '--emulator', emu.url, '--via', 'webhook', '--retries', '0', '--set', 'header.token=wrong']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out.join(''))).toMatchObject({ code: 401 });
    expect(rx.seen).toEqual([]);
  });

  it('a path that cannot be set is a usage error naming the path; nothing is delivered', async () => {
    const rx = await receiver();
    const emu = await emulatorFor(rx.url);
    const cases: Array<[string, string]> = [
      ['event.mesage.chat_type=x', 'cannot set "event.mesage.chat_type": event has no "mesage" (it has sender, message)'],
      ['event.message.mentions.5.name=x', 'cannot set "event.message.mentions.5.name": index 5 is out of range (event.message.mentions has 1 item)'],
      ['event.message.chat_type.deeper=x', 'cannot set "event.message.chat_type.deeper": event.message.chat_type is a string, not an object or array'],
      ['event.message.mentions.first=x', 'cannot set "event.message.mentions.first": event.message.mentions is an array; "first" is not an index'],
    ];
    for (const [spec, message] of cases) {
      const r = await trigger(['im.message.receive_v1', '--emulator', emu.url, '--via', 'webhook', '--set', spec]);
      expect(r.code, spec).toBe(2);
      expect(r.error?.message, spec).toBe(`the emulator refused: ${message}`);
    }
    const noEquals = await trigger(['im.message.receive_v1', '--emulator', emu.url, '--set', 'event.message.chat_type']);
    expect(noEquals.code).toBe(2);
    expect(noEquals.error?.message).toMatch(/--set "event\.message\.chat_type": write path=value/);
    expect(rx.seen).toEqual([]);
    expect(emu.stats().triggers).toBe(0);
  });
});

describe('trigger --fixtures', () => {
  it('runs the fixtures in order, one answer line each, and exits 1 when one fails', async () => {
    const rx = await receiver();
    const emu = await emulatorFor(rx.url);
    write('v1-fixture.json', example('v1', 'message'));
    const file = write('fixtures.json', [
      { name: 'group message', event_type: 'im.message.receive_v1', set: { 'event.message.chat_type': 'group', 'event.message.mentions.0.name': 'Tom' } },
      { payload: 'v1-fixture.json' },
      { name: 'stale token', payload: example('im', 'im.message.receive_v1'), keep_token: true },
      { name: 'p2p message', event_type: 'im.message.receive_v1', set: { 'event.message.chat_type': 'p2p' } },
    ]);
    const r = await trigger(['--fixtures', file, '--emulator', emu.url, '--via', 'webhook', '--retries', '0']);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(1);
    const lines = r.out.map((l) => JSON.parse(l) as { fixture: string; code: number });
    expect(lines.map((l) => [l.fixture, l.code])).toEqual([['group message', 200], ['v1-fixture.json', 200], ['stale token', 401], ['p2p message', 200]]);
    expect(rx.seen.map((s) => [s.type, (s.payload.event as { message?: { chat_type?: string } }).message?.chat_type])).toEqual([
      ['im.message.receive_v1', 'group'], ['message', undefined], ['im.message.receive_v1', 'p2p'],
    ]);
  });

  it('exits 0 when every fixture answers 200; --set on the command line applies to each', async () => {
    const rx = await receiver();
    const emu = await emulatorFor(rx.url);
    const file = write('ok-fixtures.json', [{ event_type: 'im.message.receive_v1' }, { event_type: 'im.message.receive_v1', set: { 'event.message.chat_type': 'group' } }]);
    const r = await trigger(['--fixtures', file, '--emulator', emu.url, '--via', 'webhook', '--set', 'event.message.chat_type=topic']);
    expect(r.code).toBe(0);
    expect(rx.seen.map((s) => (s.payload.event as { message: { chat_type: string } }).message.chat_type)).toEqual(['topic', 'topic']);
  });

  it('checks the whole file before sending anything: errors name the file and the JSON pointer (exit 2)', async () => {
    const rx = await receiver();
    const emu = await emulatorFor(rx.url);
    const cases: Array<[unknown, string]> = [
      [[{ event_type: 'im.message.receive_v1' }, { event_type: 'im.message.receive_v1', vai: 'webhook' }], '/1/vai: unknown key'],
      [[{ event_type: 'im.message.receive_v1', via: 'pigeon' }], '/0/via must be ws or webhook, not "pigeon"'],
      [[{ event_type: 'im.message.receive_v1', payload: {} }], '/0: give exactly one of "event_type" and "payload"'],
      [[{ event_type: 'im.message.receive_v1' }, { payload: 'missing.json' }], 'missing.json: cannot read (ENOENT)'],
      [[{ event_type: 'im.message.receive_v1', retries: -1 }], '/0/retries: must be a non-negative integer'],
      [{ event_type: 'im.message.receive_v1' }, 'a fixtures file is a non-empty JSON array'],
    ];
    for (const [content, message] of cases) {
      const file = write('bad-fixtures.json', content);
      const r = await trigger(['--fixtures', file, '--emulator', emu.url, '--via', 'webhook']);
      expect(r.code, message).toBe(2);
      expect(r.error?.message, message).toContain(message);
    }
    expect(emu.stats().triggers).toBe(0);
    expect(rx.seen).toEqual([]);
    expect((await trigger(['im.message.receive_v1', '--fixtures', write('f.json', [{ event_type: 'x' }]), '--emulator', emu.url])).code).toBe(2);
    expect((await trigger(['--emulator', emu.url])).error?.message).toMatch(/--fixtures/);
  });
});
