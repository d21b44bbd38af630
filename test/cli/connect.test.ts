import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerConnect } from '../../src/cli/commands/connect.js';
import { registerEmulate } from '../../src/cli/commands/emulate.js';
import { registerTrigger } from '../../src/cli/commands/trigger.js';
import { CliError } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { loadExample } from '../../src/emulator/index.js';
import { AesCipher } from '../../src/transport/webhook/crypto.js';
import { APP_ID, APP_SECRET, deferred, emulator, onCleanup, waitFor } from '../transport/ws/helpers.js';

function program(): Command {
  return new Command('lark-events').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
}

/** Runs `trigger` and returns its exit code, stdout, or the CliError it threw. */
async function trigger(args: string[]): Promise<{ code: number | undefined; out: string[]; error?: CliError }> {
  const out: string[] = [];
  let code: number | undefined;
  const p = program();
  registerTrigger(p, (c) => (code = c), { stdout: (t) => out.push(t) });
  try {
    await p.parseAsync(['trigger', ...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CliError) return { code: err.exitCode, out, error: err };
    throw err;
  }
  return { code, out };
}

/** `lark-events connect` against an emulator, with extra flags; resolves once connected. */
async function connectTo(url: string, extra: string[]): Promise<{ stop: ReturnType<typeof deferred<void>>; lines: string[]; running: Promise<unknown> }> {
  const stop = deferred();
  const lines: string[] = [];
  const errs: string[] = [];
  const connect = program();
  registerConnect(connect, () => undefined, { stdout: (t) => lines.push(t), stderr: (t) => errs.push(t), until: stop.promise });
  const running = connect.parseAsync(['connect', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--domain', url, ...extra], { from: 'user' });
  await waitFor(() => errs.some((l) => l.startsWith('state connected')), 5_000, 'connected');
  return { stop, lines, running };
}

/** `lark-events connect` with a secret the emulator refuses (a fatal error): its exit code and stderr. */
async function connectWithWrongSecret(): Promise<{ exit: number | undefined; errs: string[] }> {
  const emu = await emulator();
  let exit: number | undefined;
  const errs: string[] = [];
  const p = program();
  registerConnect(p, (c) => (exit = c), { stdout: () => undefined, stderr: (t) => errs.push(t), until: new Promise(() => undefined) });
  await p.parseAsync(['connect', '--app-id', APP_ID, '--app-secret', 'wrong', '--domain', emu.url], { from: 'user' });
  return { exit, errs };
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lark-ws-cli-'));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('CLI: emulate, connect, trigger', () => {
  it('emulate serves until stopped; connect prints one JSON line per delivery; trigger prints the answer', async () => {
    const stopEmulator = deferred();
    const emuErr: string[] = [];
    const emulate = program();
    registerEmulate(emulate, { stderr: (t) => emuErr.push(t), until: stopEmulator.promise });
    const emulating = emulate.parseAsync(['emulate', '--port', '0', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--ping-interval', '5', '--redelivery-ms', '20,40'], { from: 'user' });
    await waitFor(() => emuErr.some((l) => l.startsWith('emulator listening on ')), 5_000, 'the emulator');
    const url = /emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(emuErr.find((l) => l.startsWith('emulator listening'))!)![1]!;

    const stopConnect = deferred();
    const lines: string[] = [];
    const connErr: string[] = [];
    let connectExit: number | undefined;
    const connect = program();
    registerConnect(connect, (c) => (connectExit = c), { stdout: (t) => lines.push(t), stderr: (t) => connErr.push(t), until: stopConnect.promise });
    const connecting = connect.parseAsync(['connect', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--domain', url], { from: 'user' });
    await waitFor(() => connErr.some((l) => l.startsWith('state connected')), 5_000, 'connect to connect');

    const t1 = await trigger(['im.message.receive_v1', '--emulator', url]);
    expect(t1.code).toBe(0);
    const answer = JSON.parse(t1.out.join('')) as { code: number; id: string; attempts: number };
    expect(answer).toMatchObject({ code: 200, attempts: 1, via: 'ws', event_type: 'im.message.receive_v1' });

    const file = tmpFile('message.json', JSON.stringify(loadExample('message')));
    const t2 = await trigger([file, '--emulator', url, '--via', 'ws']);
    expect(t2.code).toBe(0);

    const cb = await trigger(['card.action.trigger', '--emulator', url]);
    expect(JSON.parse(cb.out.join(''))).toMatchObject({ code: 200, event_type: 'card.action.trigger' });

    await waitFor(() => lines.length === 3, 2_000, 'three delivery lines');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { transport: 'ws', kind: 'p2', event_type: 'im.message.receive_v1', id: answer.id, status: 'handled' },
      { transport: 'ws', kind: 'p1', event_type: 'message', id: '41b5f371157e3d5341b38b20396e77a3', status: 'handled' },
      { transport: 'ws', kind: 'callback', event_type: 'card.action.trigger', id: expect.any(String), status: 'handled' },
    ]);
    expect(connErr.join('\n')).not.toContain(APP_SECRET);

    // No webhook configured: the delivery fails, exit 1.
    const viaHook = await trigger(['im.message.receive_v1', '--emulator', url, '--via', 'webhook', '--retries', '0']);
    expect(viaHook.code).toBe(1);
    expect(JSON.parse(viaHook.out.join(''))).toMatchObject({ code: 0, error: 'no webhook URL configured' });

    stopConnect.resolve();
    await connecting;
    expect(connectExit).toBe(0);
    expect(connErr.at(-1)).toBe('state closed');
    stopEmulator.resolve();
    await emulating;
    expect(emuErr.at(-1)).toBe('emulator stopped');
  });

  it('connect uses the default export of --handlers; a failing handler makes trigger exit 1', async () => {
    const emu = await emulator();
    const handlers = tmpFile(
      'handlers.mjs',
      `export default { async dispatch(body) {
         const p = JSON.parse(Buffer.from(body).toString());
         return { status: 'failed', kind: 'p2', eventType: p.header.event_type, id: p.header.event_id, httpStatus: 500, body: {} };
       } };`,
    );
    const { stop, lines, running } = await connectTo(emu.url, ['--handlers', handlers]);
    const t = await trigger(['im.message.receive_v1', '--emulator', emu.url]);
    expect(t.code).toBe(1);
    const first = JSON.parse(t.out.join('')) as { id: string };
    expect(first).toMatchObject({ code: 500, attempts: 1 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ transport: 'ws', event_type: 'im.message.receive_v1', status: 'failed' });
    // The emulator keeps redelivering in the background (schedule 50, 100 ms)...
    await waitFor(() => lines.length === 3, 2_000, 'two redeliveries');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([first.id, first.id, first.id]);
    // ...and --wait final reports the last attempt.
    const final = await trigger(['message', '--emulator', emu.url, '--wait', 'final']);
    expect(final.code).toBe(1);
    expect(JSON.parse(final.out.join(''))).toMatchObject({ code: 500, attempts: 3 });
    stop.resolve();
    await running;
  });

  it('connect --capture writes each accepted delivery as one JSON file, token fields blanked', async () => {
    const emu = await emulator();
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lark-ws-capture-')), 'out');
    onCleanup(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
    const { stop, lines, running } = await connectTo(emu.url, ['--capture', dir]);
    const t = await trigger(['im.message.receive_v1', '--emulator', emu.url]);
    expect(t.code).toBe(0);
    const { id } = JSON.parse(t.out.join('')) as { id: string };
    await waitFor(() => lines.length === 1, 2_000, 'one delivery line');
    stop.resolve();
    await running;
    expect(fs.readdirSync(dir)).toEqual([`im.message.receive_v1.${id}.json`]);
    const captured = JSON.parse(fs.readFileSync(path.join(dir, `im.message.receive_v1.${id}.json`), 'utf8')) as { header: { event_id: string; token: string; event_type: string } };
    expect(captured.header).toMatchObject({ event_id: id, event_type: 'im.message.receive_v1', token: '' });
  });

  it('connect exits 1 on a fatal error and 2 on a bad handlers module', async () => {
    const { exit, errs } = await connectWithWrongSecret();
    expect(exit).toBe(1);
    expect(errs.join('\n')).toMatch(/connect failed: endpoint refused: code 10003/);
    expect(errs.join('\n')).not.toContain('wrong');

    const emu = await emulator();
    const notDispatcher = tmpFile('bad.mjs', 'export default 42;');
    const q = program();
    registerConnect(q, () => undefined, { stdout: () => undefined, stderr: () => undefined });
    await expect(q.parseAsync(['connect', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--domain', emu.url, '--handlers', notDispatcher], { from: 'user' })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/default export must be an EventDispatcher/),
    });
  });

  it('connect --connect-timeout gives up when not connected in time: exit 1 naming the last failure', async () => {
    // An endpoint that takes requests and never answers: without the flag, start() would wait for it.
    const pending: http.ServerResponse[] = [];
    const hanging = http.createServer((_req, res) => pending.push(res));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => {
      hanging.closeAllConnections();
      hanging.close(() => r());
    }));
    const run = async (domain: string, ms: string) => {
      let exit: number | undefined;
      const errs: string[] = [];
      const p = program();
      registerConnect(p, (c) => (exit = c), { stdout: () => undefined, stderr: (t) => errs.push(t), until: new Promise(() => undefined) });
      const started = Date.now();
      await p.parseAsync(['connect', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--domain', domain, '--connect-timeout', ms], { from: 'user' });
      return { exit, errs: errs.join('\n'), elapsed: Date.now() - started };
    };
    const hung = await run(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, '400');
    expect(hung.exit).toBe(1);
    expect(hung.errs).toContain('connect failed: not connected within 400 ms');
    expect(hung.elapsed).toBeGreaterThanOrEqual(390);
    expect(hung.elapsed).toBeLessThan(10_000);
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(hung.errs).toContain('state failed');

    // A port nobody listens on: attempts fail and are retried until the limit, whose error names the last one.
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await run(`http://127.0.0.1:${closedPort}`, '600');
    expect(refused.exit).toBe(1);
    expect(refused.errs).toMatch(/connect failed: not connected within 600 ms: .+/);
    expect(refused.errs).not.toContain(APP_SECRET);

    // A bad value is a usage error.
    const q = program();
    registerConnect(q, () => undefined, { stdout: () => undefined, stderr: () => undefined });
    await expect(q.parseAsync(['connect', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--connect-timeout', '5s'], { from: 'user' })).rejects.toMatchObject({
      message: expect.stringContaining('--connect-timeout must be a non-negative integer of milliseconds (0: keep retrying): 5s'),
    });
  });

  it('connect --domain notaurl exits 2 with one clear line and no stack; a fatal error is printed once', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['connect', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--domain', 'notaurl']);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(2);
    const lines = written.join('').split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lark-events: --domain "notaurl" is not a URL: use feishu, lark or an http\(s\) base URL/);
    expect(written.join('')).not.toMatch(/\n\s+at /);

    // A fatal error from the platform: its message appears on one line only.
    const { exit, errs } = await connectWithWrongSecret();
    expect(exit).toBe(1);
    expect(errs.filter((l) => l.includes('code 10003'))).toEqual([expect.stringMatching(/^connect failed: endpoint refused: code 10003/)]);
    expect(errs).toContain('state failed');
  });

  it('connect reports each retry with its attempt and delay, and its cause once', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    let exit: number | undefined;
    const errs: string[] = [];
    const p = program();
    registerConnect(p, (c) => (exit = c), { stdout: () => undefined, stderr: (t) => errs.push(t), until: new Promise(() => undefined) });
    await p.parseAsync(['connect', '--app-id', APP_ID, '--app-secret', APP_SECRET, '--domain', `http://127.0.0.1:${port}`, '--connect-timeout', '500'], { from: 'user' });
    expect(exit).toBe(1);
    const retries = errs.filter((l) => l.startsWith('state reconnecting'));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatch(/^state reconnecting attempt=1 delay_ms=\d+$/);
    // The cause is said once per attempt, by the log line, with the host.
    const failures = errs.filter((l) => l.startsWith('warn ws: connect failed'));
    expect(failures.length).toBeGreaterThanOrEqual(retries.length);
    expect(failures[0]).toMatch(new RegExp(`^warn ws: connect failed: endpoint request to 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`));
    expect(errs.filter((l) => l.startsWith('connect failed'))).toHaveLength(1);
    expect(errs.join('\n')).not.toContain(APP_SECRET);
  });

  it('emulate takes the app credentials, Encrypt Key and Verification Token from the environment', async () => {
    const names = ['LARK_APP_ID', 'LARK_APP_SECRET', 'LARK_ENCRYPT_KEY', 'LARK_VERIFICATION_TOKEN'] as const;
    const saved = names.map((n) => process.env[n]);
    onCleanup(() => {
      names.forEach((n, i) => {
        if (saved[i] === undefined) delete process.env[n];
        else process.env[n] = saved[i];
      });
    });
    for (const n of names) delete process.env[n];
    const missing = program();
    registerEmulate(missing, { stderr: () => undefined, until: Promise.resolve() });
    await expect(missing.parseAsync(['emulate'], { from: 'user' })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/LARK_APP_ID/) });

    Object.assign(process.env, { LARK_APP_ID: APP_ID, LARK_APP_SECRET: APP_SECRET, LARK_ENCRYPT_KEY: 'env-encrypt-key', LARK_VERIFICATION_TOKEN: 'env-token' });
    const bodies: string[] = [];
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString());
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    onCleanup(() => new Promise<void>((r) => hook.close(() => r())));
    const stop = deferred();
    const errs: string[] = [];
    const emulate = program();
    registerEmulate(emulate, { stderr: (t) => errs.push(t), until: stop.promise });
    const running = emulate.parseAsync(['emulate', '--webhook', `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`], { from: 'user' });
    await waitFor(() => errs.some((l) => l.startsWith('emulator listening on ')), 5_000, 'the emulator');
    const url = /(http:\/\/\S+)$/.exec(errs.find((l) => l.startsWith('emulator listening'))!)![1]!;
    // The credentials from the environment are the ones clients must present...
    const endpoint = async (secret: string) =>
      ((await (await fetch(`${url}/callback/ws/endpoint`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ AppID: APP_ID, AppSecret: secret }) })).json()) as { code: number }).code;
    expect(await endpoint(APP_SECRET)).toBe(0);
    expect(await endpoint('other')).toBe(10003);
    // ...and pushes are encrypted with the key and carry the token.
    const t = await trigger(['im.message.receive_v1', '--emulator', url, '--via', 'webhook']);
    expect(t.code).toBe(0);
    const wrapper = JSON.parse(bodies[0]!) as { encrypt: string };
    expect(JSON.parse(new AesCipher('env-encrypt-key').decrypt(wrapper.encrypt))).toMatchObject({ header: { token: 'env-token', app_id: APP_ID } });
    stop.resolve();
    await running;
  });

  it('emulate --help names the environment variables', () => {
    const p = program();
    registerEmulate(p);
    const help = p.commands.find((c) => c.name() === 'emulate')!.helpInformation();
    for (const name of ['LARK_APP_ID', 'LARK_APP_SECRET', 'LARK_ENCRYPT_KEY', 'LARK_VERIFICATION_TOKEN']) expect(help).toContain(`$${name}`);
  });

  it('trigger: usage and connection errors exit 2', async () => {
    const emu = await emulator();
    const saved = process.env.LARK_EMULATOR;
    delete process.env.LARK_EMULATOR;
    onCleanup(() => {
      if (saved !== undefined) process.env.LARK_EMULATOR = saved;
    });
    expect((await trigger(['im.message.receive_v1'])).error?.message).toMatch(/--emulator/);
    expect((await trigger(['im.message.receive_v1', '--emulator', emu.url, '--via', 'pigeon'])).code).toBe(2);
    expect((await trigger(['im.message.receive_v1', '--emulator', emu.url, '--wait', 'forever'])).code).toBe(2);
    expect((await trigger(['im.message.receive_v1', '--emulator', 'not a url'])).code).toBe(2);
    const unknown = await trigger(['no.such.event_v1', '--emulator', emu.url]);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.error?.message).toMatch(/no schema example/);
    const bad = tmpFile('bad.json', '{"oops": ');
    expect((await trigger([bad, '--emulator', emu.url])).code).toBe(2);
    const closedPort = emu.port;
    await emu.close();
    const down = await trigger(['im.message.receive_v1', '--emulator', `http://127.0.0.1:${closedPort}`]);
    expect(down.code).toBe(2);
    expect(down.error?.message).toMatch(/cannot reach the emulator/);
  });
});
