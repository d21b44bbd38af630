import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { example } from '../helpers.js';
import { freePort } from '../helpers.js';
export { freePort };

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const TOKEN = 'vt_inbox_test_verification_token';

/** A queue name of its own per test run: the shared Redis serves other engineers' tests too. */
export const uniqueQueue = (what: string): string => `lark-inbox-test-${what}-${randomBytes(5).toString('hex')}`;

let seq = 0;
/** im.message.receive_v1 from its schema example, with a fresh event_id and the test token. */
export function p2Event(id = `ev_${process.pid}_${++seq}_${randomBytes(4).toString('hex')}`): Record<string, unknown> {
  const m = example('im', 'im.message.receive_v1');
  const header = m.header as Record<string, unknown>;
  header.event_id = id;
  header.token = TOKEN;
  return m;
}

export function cardAction(id = `card_${++seq}`): Record<string, unknown> {
  const m = example('callback', 'card.action.trigger');
  const header = m.header as Record<string, unknown>;
  header.event_id = id;
  header.token = TOKEN;
  return m;
}

/** Removes every key of a queue (BullMQ's obliterate) and closes the handle. */
export async function obliterate(queueName: string, url = REDIS_URL): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  const queue = new Queue(queueName, { connection: client });
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await client.quit();
}


export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** A redis-server of the test's own on a free port (no persistence), for fault tests; stopped by pid. */
export async function startRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    port,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
