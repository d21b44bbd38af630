// `npx tsx bench/redis-faults.ts`: the Redis fault campaign of issue 12 at full length, against a
// redis-server of its own (appendonly yes, appendfsync always, in a temporary directory). Two
// webhook instances share it; 40 events/s with 300 ms handlers; Redis killed for 15 s (then
// restarted from its AOF), later frozen (SIGSTOP) for 20 s. The platform resends every delivery
// not answered 200 after 1 s, and resends every event once more 1 s after its 200 (an answer lost).
// Prints how many events were lost, how many handlers ran twice, and how many ran at once.
// Not a test: the numbers depend on the machine and its load. Options: --seconds-scale 0.25.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { EventDispatcher, silentLogger } from '../src/index.js';
import { createWebhookHandler, encryptBody, RedisIdempotencyStore, signRequest } from '../src/entries/webhook.js';
import type { WebhookHandler, WebhookRequest } from '../src/entries/webhook.js';
import { freePort } from '../test/helpers.js';

const scaleArg = process.argv.indexOf('--seconds-scale');
const scale = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const RATE = 40;
const HANDLER_MS = 300;
const KEY = 'bench encrypt key';
const TOKEN = 'bench verification token';
const phases = { warm: 5_000 * scale, killed: 15_000 * scale, between: 5_000 * scale, frozen: 20_000 * scale, after: 5_000 * scale };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited ${String(code)}: ${out}`)));
  });
  proc.stdout?.resume();
  return proc;
}

function request(id: string): WebhookRequest {
  const text = encryptBody(JSON.stringify({ schema: '2.0', header: { event_id: id, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: TOKEN, app_id: 'cli_bench', tenant_key: 't' }, event: {} }), KEY);
  return { method: 'POST', path: '/webhook/event', headers: { 'content-type': 'application/json', ...signRequest(text, KEY) }, body: Buffer.from(text) };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lark-redis-bench-'));
const port = await freePort();
let redis = await startRedis(port, dir);
const runs = new Map<string, number>();
let active = 0;
let maxActive = 0;
const peaks: Record<string, number> = {};
let phase = 'warm';
const statuses = new Map<number, number>();

const instances: WebhookHandler[] = [];
const clients: Redis[] = [];
const stores: RedisIdempotencyStore[] = [];
for (let i = 0; i < 2; i++) {
  // The default ioredis client (offline queue on): what a user who reads nothing gets.
  const client = new Redis({ host: '127.0.0.1', port });
  client.on('error', () => undefined);
  clients.push(client);
  const store = new RedisIdempotencyStore(client, { logger: silentLogger });
  stores.push(store);
  const dispatcher = new EventDispatcher({ idempotency: store, logger: silentLogger, validation: 'off' }).register_p2_im_message_receive_v1(async (_e, ctx) => {
    runs.set(ctx.id ?? '?', (runs.get(ctx.id ?? '?') ?? 0) + 1);
    active++;
    maxActive = Math.max(maxActive, active);
    peaks[phase] = Math.max(peaks[phase] ?? 0, active);
    await sleep(HANDLER_MS);
    active--;
  });
  instances.push(createWebhookHandler(dispatcher, { encryptKey: KEY, verificationToken: TOKEN, logger: silentLogger }));
}

let sent = 0;
let lost = 0;
const deliveries: Promise<void>[] = [];
const deadline = () => Date.now() + 120_000 * Math.max(scale, 0.5);
async function deliver(id: string): Promise<void> {
  const until = deadline();
  let attempt = 0;
  for (;;) {
    const status = (await instances[attempt++ % 2]!.handle(request(id))).status;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status === 200) break;
    if (Date.now() > until) {
      lost++;
      return;
    }
    await sleep(1_000);
  }
  // The answer was lost: the platform sends it once more, to the other instance.
  await sleep(1_000);
  for (;;) {
    const status = (await instances[attempt++ % 2]!.handle(request(id))).status;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status === 200 || Date.now() > until) return;
    await sleep(1_000);
  }
}

async function traffic(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    deliveries.push(deliver(`bench-${++sent}`));
    await sleep(1_000 / RATE);
  }
}

const t0 = Date.now();
await traffic(phases.warm);
phase = 'killed';
redis.kill('SIGKILL');
await traffic(phases.killed);
phase = 'after restart';
redis = await startRedis(port, dir);
await traffic(phases.between);
phase = 'frozen';
redis.kill('SIGSTOP');
await traffic(phases.frozen);
phase = 'after thaw';
redis.kill('SIGCONT');
await traffic(phases.after);
phase = 'drain';
await Promise.all(deliveries);
const elapsed = Date.now() - t0;

const twice = [...runs.values()].filter((n) => n > 1).length;
const handled = [...runs.keys()].length;
console.log(JSON.stringify({
  events: sent, handled, lost, ranTwice: twice, maxHandlersAtOnce: maxActive, peakByPhase: peaks,
  answers: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)), elapsedMs: elapsed,
  phasesMs: phases, unsyncedLeft: stores.map((s) => s.stats?.unsyncedCompletes),
}, null, 1));

for (const s of stores) s.close?.();
for (const c of clients) c.disconnect();
redis.kill('SIGKILL');
rmSync(dir, { recursive: true, force: true });
