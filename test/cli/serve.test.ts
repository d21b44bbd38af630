/** `lark-events serve`: in process through startServe, and as a real process through registerServe. */
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerServe, startServe } from '../../src/cli/commands/serve.js';
import { driftText } from '../../src/cli/drift.js';
import type { RunningServer } from '../../src/cli/commands/serve.js';
import { encryptBody, signRequest } from '../../src/entries/webhook.js';
import { cardAction, challenge, JSON_CT, KEY, p2Message, ROOT, send, TOKEN, v1Message } from '../transport/webhook/helpers.js';

const running: RunningServer[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

const lines = (stream: PassThrough) => {
  const out: Record<string, unknown>[] = [];
  readline.createInterface({ input: stream }).on('line', (l) => out.push(JSON.parse(l) as Record<string, unknown>));
  return out;
};

/** `lark-events serve --port 0 …args` as a process; resolves once it listens. */
async function spawnServe(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stdout: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/cli/fixtures/serve-runner.ts'), 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: 'pipe' });
  children.push(child);
  const stdout: Record<string, unknown>[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (l) => stdout.push(JSON.parse(l) as Record<string, unknown>));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${String(code)}: ${stderr}`)));
  });
  return { child, url, stdout };
}

describe('lark-events serve', () => {
  it('registers a serve command with the documented options', () => {
    const program = new Command('lark-events');
    registerServe(program);
    const serve = program.commands.find((c) => c.name() === 'serve')!;
    expect(serve.options.map((o) => o.long)).toEqual(['--port', '--host', '--path', '--encrypt-key', '--verification-token', '--handlers', '--drift', '--capture', '--inbox', '--header-timeout', '--body-timeout', '--keep-alive-timeout', '--max-connections', '--queue']);
  });

  it('applies the documented server limits by default and refuses bad ones with a clear error', async () => {
    const server = await startServe({ port: 0, verificationToken: TOKEN, out: new PassThrough(), err: new PassThrough() });
    running.push(server);
    const { headersTimeout, requestTimeout, keepAliveTimeout, maxConnections } = server.server;
    expect({ headersTimeout, requestTimeout, keepAliveTimeout, maxConnections }).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxConnections: 1_000 });
    const off = await startServe({ port: 0, verificationToken: TOKEN, headersTimeoutMs: 0, requestTimeoutMs: 0, maxConnections: 0, out: new PassThrough(), err: new PassThrough() });
    running.push(off);
    expect([off.server.headersTimeout, off.server.requestTimeout, off.server.maxConnections]).toEqual([0, 0, Infinity]);
    await expect(startServe({ port: 0, verificationToken: TOKEN, headersTimeoutMs: 40_000, requestTimeoutMs: 30_000 })).rejects.toThrow('headersTimeoutMs (40000) must not exceed requestTimeoutMs (30000)');
    await expect(startServe({ port: 0, verificationToken: TOKEN, maxConnections: -1 })).rejects.toThrow('maxConnections must be a non-negative integer');

    const parse = async (args: string[]) => {
      const program = new Command('lark-events').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      registerServe(program);
      return program.parseAsync(['serve', '--port', '0', '--verification-token', TOKEN, ...args], { from: 'user' }).then(
        () => 'ran',
        (e: Error) => e.message,
      );
    };
    expect(await parse(['--header-timeout', '10s'])).toContain('--header-timeout must be a non-negative integer (0 turns the limit off): 10s');
    expect(await parse(['--max-connections', '-5'])).toContain('--max-connections must be a non-negative integer');
    expect(await parse(['--header-timeout', '5000', '--body-timeout', '1000'])).toBe('--header-timeout (5000 ms) must not exceed --body-timeout (1000 ms)');
  });

  it('with drift on, reports the properties deliveries carry that the schemas do not know', async () => {
    const server = await startServe({ port: 0, verificationToken: TOKEN, drift: true, out: new PassThrough(), err: new PassThrough() });
    running.push(server);
    const body = p2Message('drift-1') as { event: { message: Record<string, unknown> } };
    body.event.message.brand_new_field = { nested: true };
    expect((await send(server.url, JSON.stringify(body))).status).toBe(200);
    expect(driftText(server.dispatcher)).toMatch(/im\.message\.receive_v1:\n {2}\/event\/message\/brand_new_field {2}\(seen 1×/);
  });

  it('--capture writes each accepted delivery, decrypted and with its token fields blanked, as one file learn reads', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lark-capture-')), 'captures');
    const server = await startServe({ port: 0, encryptKey: KEY, verificationToken: TOKEN, capture: dir, out: new PassThrough(), err: new PassThrough() });
    running.push(server);
    const event = p2Message('cap-1');
    const encrypted = encryptBody(event, KEY);
    expect((await send(server.url, encrypted, { ...JSON_CT, ...signRequest(encrypted, KEY) })).status).toBe(200);
    const v1 = encryptBody(v1Message('cap-u'), KEY);
    expect((await send(server.url, v1, { ...JSON_CT, ...signRequest(v1, KEY) })).status).toBe(200);
    // Refused deliveries are not captured: a wrong token (401) and a challenge are no events.
    const bad = encryptBody({ ...p2Message('cap-bad'), header: { ...(p2Message('x').header as object), token: 'wrong' } }, KEY);
    expect((await send(server.url, bad, { ...JSON_CT, ...signRequest(bad, KEY) })).status).toBe(401);
    const ch = encryptBody(challenge('cap'), KEY);
    expect((await send(server.url, ch, { ...JSON_CT, ...signRequest(ch, KEY) })).status).toBe(200);
    expect(fs.readdirSync(dir).sort()).toEqual(['im.message.receive_v1.cap-1.json', 'message.cap-u.json']);
    const captured = JSON.parse(fs.readFileSync(path.join(dir, 'im.message.receive_v1.cap-1.json'), 'utf8')) as { header: { token: string } };
    expect(captured).toEqual({ ...event, header: { ...(event.header as object), token: '' } });
    expect(fs.readFileSync(path.join(dir, 'message.cap-u.json'), 'utf8')).not.toContain(TOKEN);
  });

  it('prints one JSON line per accepted delivery and answers per the protocol (in process)', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    const printed = lines(out);
    const notices: string[] = [];
    err.on('data', (c: Buffer) => notices.push(c.toString()));
    const server = await startServe({ port: 0, verificationToken: TOKEN, out, err });
    running.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/event$/);
    expect(notices.join('')).toContain(`listening on ${server.url}`);

    expect((await send(server.url, JSON.stringify(challenge('srv')))).json).toEqual({ challenge: 'srv' });
    expect((await send(server.url, JSON.stringify(p2Message('srv-1')))).status).toBe(200);
    expect((await send(server.url, JSON.stringify(v1Message('srv-u')))).status).toBe(200);
    expect((await send(server.url, JSON.stringify(challenge('x', 'bad')))).status).toBe(401);
    expect((await send(server.url.replace('/webhook/event', '/nope'), '{}')).status).toBe(404);
    await new Promise((r) => setImmediate(r));
    expect(printed).toEqual([
      { transport: 'webhook', kind: 'challenge', event_type: null, id: null, status: 'challenge' },
      { transport: 'webhook', kind: 'p2', event_type: 'im.message.receive_v1', id: 'srv-1', status: 'handled' },
      { transport: 'webhook', kind: 'p1', event_type: 'message', id: 'srv-u', status: 'handled' },
    ]);
  });

  it('runs as a process: --port 0, --encrypt-key, --handlers fixture answering card.action.trigger, closes on SIGTERM', async () => {
    const { child, url, stdout } = await spawnServe(['--path', '/lark', '--encrypt-key', KEY, '--verification-token', TOKEN, '--handlers', path.join(ROOT, 'test/cli/fixtures/handlers.ts'), '--header-timeout', '1000', '--body-timeout', '3000']);

    // --header-timeout / --body-timeout reach the server: a silent connection gets 408 after 1 s,
    // one that never finishes its body after 3 s.
    const port = Number(new URL(url).port);
    const stalled = (head: string) =>
      new Promise<{ after: number; received: string }>((resolve) => {
        const opened = Date.now();
        let received = '';
        const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
        socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve({ after: Date.now() - opened, received }));
      });
    const [silent, unfinished] = await Promise.all([stalled(''), stalled('POST /lark HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{')]);
    expect(silent.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(silent.after).toBeGreaterThanOrEqual(950);
    expect(silent.after).toBeLessThan(2_950);
    expect(unfinished.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(unfinished.after).toBeGreaterThanOrEqual(2_950);

    const ch = await send(url, encryptBody(challenge('proc'), KEY));
    expect(ch.json).toEqual({ challenge: 'proc' });
    const card = encryptBody(cardAction('proc-card'), KEY);
    const r = await send(url, card, { ...JSON_CT, ...signRequest(card, KEY) });
    expect([r.status, r.json]).toEqual([200, { toast: { type: 'success', content: 'fixture saw button' } }]);
    const ev = encryptBody(p2Message('proc-ev'), KEY);
    expect((await send(url, ev, { ...JSON_CT, ...signRequest(ev, KEY) })).status).toBe(200);
    expect((await send(url, ev, JSON_CT)).status).toBe(401);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toEqual([
      { transport: 'webhook', kind: 'challenge', event_type: null, id: null, status: 'challenge' },
      { transport: 'webhook', kind: 'callback', event_type: 'card.action.trigger', id: 'proc-card', status: 'handled' },
      { transport: 'webhook', kind: 'p2', event_type: 'im.message.receive_v1', id: 'proc-ev', status: 'handled' },
    ]);
  });

  it('--encrypt-key and --verification-token repeat for a rotation: any listed one verifies, an unknown one is refused', async () => {
    const OLD_KEY = 'ek_old rotated-out key';
    const OLD_TOKEN = 'vt_old rotated-out token';
    const { child, url, stdout } = await spawnServe(['--encrypt-key', KEY, '--encrypt-key', OLD_KEY, '--verification-token', TOKEN, '--verification-token', OLD_TOKEN]);

    // Signed and encrypted with the second key, carrying the second token: accepted.
    const old = p2Message('rot-old') as { header: Record<string, unknown> };
    const byOld = encryptBody({ ...old, header: { ...old.header, token: OLD_TOKEN } }, OLD_KEY);
    expect((await send(url, byOld, { ...JSON_CT, ...signRequest(byOld, OLD_KEY) })).status).toBe(200);
    const byCurrent = encryptBody(p2Message('rot-new'), KEY);
    expect((await send(url, byCurrent, { ...JSON_CT, ...signRequest(byCurrent, KEY) })).status).toBe(200);
    // A key not listed: the receiver's signature error, nothing dispatched.
    const byUnknown = encryptBody(p2Message('rot-unknown'), 'ek_never configured');
    const refused = await send(url, byUnknown, { ...JSON_CT, ...signRequest(byUnknown, 'ek_never configured') });
    expect([refused.status, refused.json.error]).toEqual([401, 'signature mismatch: signed with none of the 2 configured keys']);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout.map((l) => l.id)).toEqual(['rot-old', 'rot-new']);
  });

  it('says in --help that the secret flags repeat, and refuses an empty occurrence', async () => {
    const program = new Command('lark-events').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerServe(program);
    const help = program.commands.find((c) => c.name() === 'serve')!.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('repeat it during a rotation, the current key first');
    expect(help).toContain('repeat it during a rotation, the current token first');
    const run = (args: string[]) => program.parseAsync(['serve', '--port', '0', ...args], { from: 'user' }).then(() => 'ran', (e: Error) => e.message);
    expect(await run(['--encrypt-key', KEY, '--encrypt-key', ''])).toContain('--encrypt-key must not be empty');
    expect(await run(['--verification-token', ''])).toContain('--verification-token must not be empty');
  });
});
