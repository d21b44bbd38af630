/** `lark-events serve --inbox`, `connect --inbox` and `work`, as processes, against the real Redis (a queue of their own). */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { repo } from '../helpers.js';
import { obliterate, p2Event, REDIS_URL, uniqueQueue, waitFor } from '../inbox/helpers.js';

const bin = path.join(repo, 'bin', 'lark-events.js');
const fixture = path.join(repo, 'test', 'inbox', 'fixtures', 'handlers.mjs');
const queueName = uniqueQueue('cli');
const key = `lark-inbox-test:${queueName}`;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const redis = new Redis(REDIS_URL);
  await redis.del(`${key}:handled`, `${key}:reruns`);
  await redis.quit();
  await obliterate(queueName);
});

interface Cli {
  readonly child: ChildProcess;
  readonly stdout: string[];
  stderr: string;
  readonly exit: Promise<number | null>;
}

function cli(args: string[]): Cli {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, INBOX_TEST_KEY: key }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const run: Cli = { child, stdout: [], stderr: '', exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  readline.createInterface({ input: child.stdout! }).on('line', (line) => run.stdout.push(line));
  child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  return run;
}

describe('lark-events work', () => {
  it('serve --inbox answers 200 once queued; work runs the handler and prints the completion; SIGTERM stops it (exit 0)', { timeout: 60_000 }, async () => {
    const serve = cli(['serve', '--port', '0', '--inbox', REDIS_URL, '--queue', queueName]);
    await waitFor(() => /listening on (\S+)/.test(serve.stderr), 20_000, 'serve to listen');
    const url = /listening on (\S+)/.exec(serve.stderr)![1]!;
    const event = p2Event();
    const id = (event.header as { event_id: string }).event_id;
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(answer.status).toBe(200);
    await waitFor(() => serve.stdout.length > 0, 5_000, 'the delivery line');
    expect(JSON.parse(serve.stdout[0]!)).toEqual({ transport: 'webhook', kind: 'p2', event_type: 'im.message.receive_v1', id, status: 'queued' });

    const work = cli(['work', '--inbox', REDIS_URL, '--queue', queueName, '--handlers', fixture, '--concurrency', '2']);
    await waitFor(() => work.stdout.length > 0, 20_000, 'the completion line');
    expect(JSON.parse(work.stdout[0]!)).toEqual({ transport: 'webhook', kind: 'p2', event_type: 'im.message.receive_v1', id, status: 'completed', outcome: 'handled', attempts: 1 });
    const redis = new Redis(REDIS_URL);
    expect(await redis.sismember(`${key}:handled`, id)).toBe(1);
    await redis.quit();

    work.child.kill('SIGTERM');
    serve.child.kill('SIGTERM');
    expect(await work.exit).toBe(0);
    expect(await serve.exit).toBe(0);
    expect(work.stderr).toContain(`working on queue ${queueName} at redis://127.0.0.1:6379`);
  });

  it('connect --inbox acknowledges long-connection events once queued', { timeout: 60_000 }, async () => {
    const app = { appId: 'cli_inbox_connect', appSecret: 'inbox-connect-secret' };
    const emulator = await startEmulator(app);
    try {
      const connect = cli(['connect', '--app-id', app.appId, '--app-secret', app.appSecret, '--domain', emulator.url, '--inbox', REDIS_URL, '--queue', queueName]);
      await waitFor(() => emulator.connections().some((c) => c.ready), 20_000, 'the long connection');
      const event = p2Event();
      const id = (event.header as { event_id: string }).event_id;
      expect((await emulator.trigger(event, { via: 'ws' })).code).toBe(200);
      await waitFor(() => connect.stdout.length > 0, 5_000, 'the delivery line');
      expect(JSON.parse(connect.stdout[0]!)).toMatchObject({ transport: 'ws', id, status: 'queued' });
      const client = new Redis(REDIS_URL);
      const job = await new Queue(queueName, { connection: client }).getJob(`p2-${id}`);
      expect(job?.data.transport).toBe('ws');
      await client.quit();
      connect.child.kill('SIGTERM');
      expect(await connect.exit).toBe(0);
    } finally {
      await emulator.close();
    }
  });

  it.each([
    [['work', '--inbox', 'http://127.0.0.1:6379', '--handlers', fixture], 'lark-events: http://127.0.0.1:6379/: the inbox URL must start with redis:// or rediss://'],
    [['work', '--inbox', 'redis://admin:hunter2@127.0.0.1:1', '--handlers', fixture], 'lark-events: cannot reach Redis at redis://admin:***@127.0.0.1:1: ECONNREFUSED'],
    [['serve', '--port', '0', '--inbox', 'redis://:hunter2@127.0.0.1:1'], 'lark-events: cannot reach Redis at redis://:***@127.0.0.1:1: ECONNREFUSED'],
    [['work', '--inbox', REDIS_URL, '--handlers', fixture, '--concurrency', '0'], 'lark-events: --concurrency: invalid value "0"'],
    [['work', '--inbox', REDIS_URL], "error: required option '--handlers <module>' not specified"],
  ])('%j fails with exit 2 and a clear message', { timeout: 30_000 }, async (args, message) => {
    const run = cli(args);
    expect(await run.exit).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain('hunter2');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
