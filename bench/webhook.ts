/**
 * Webhook receive throughput (issue 4.8): the same realistic delivery (im.message.receive_v1,
 * inflated to ~5.5 KB) through our transport-independent core, through the Web-standard
 * `(Request) => Response` adapter, and through the official SDK's EventDispatcher.invoke (parsed
 * the way its adapters parse), plaintext and encrypted, plus the JSON.parse-only floor.
 *
 *   npx tsx bench/webhook.ts [--rounds 25] [--ops 500] [--warmup 3000]
 *
 * Cost is process CPU time. Every case runs once per round, interleaved, in short rounds; rates are medians over rounds and
 * ratios are medians of the ratios measured within a round, so that load from other processes
 * (which comes and goes) hits both sides of a ratio alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lark from '@larksuiteoapi/node-sdk';
import { median } from './stats.js';
import { EventDispatcher, silentLogger } from '../src/index.js';
import { createWebHandler, createWebhookHandler, encryptBody, signRequest } from '../src/entries/webhook.js';
import type { WebhookHandler } from '../src/entries/webhook.js';

export interface WebhookBenchOptions {
  /** Measured rounds; every case runs once per round, interleaved. Default 25. */
  rounds?: number;
  /** Deliveries per case per round. Default 500. */
  ops?: number;
  /** Deliveries per case before measuring. Default 5000. */
  warmup?: number;
  /** Print a table to stdout. Default true when run directly. */
  print?: boolean;
}

export interface WebhookBenchRow {
  readonly name: string;
  readonly eventsPerSec: number;
  /** Median microseconds per delivery. */
  readonly usPerEvent: number;
}

export interface WebhookBenchResult {
  readonly payloadBytes: number;
  readonly encryptedBytes: number;
  readonly rows: readonly WebhookBenchRow[];
  /** ours / SDK events per second: the median over rounds of the ratio measured within each round. */
  readonly ratios: {
    readonly plainValidated: number;
    readonly plainUnvalidated: number;
    readonly encryptedValidated: number;
    readonly encryptedUnvalidated: number;
    readonly webPlainValidated: number;
    readonly webEncryptedValidated: number;
  };
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'bench-encrypt-key';
const TOKEN = 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV';

/** im.message.receive_v1's schema example with a long, realistic text message (~5.5 KB in total). */
export function benchPayload(): string {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/im/im.message.receive_v1.json'), 'utf8')) as { examples: Record<string, unknown>[] };
  const event = structuredClone(schema.examples[0]!);
  (event.header as Record<string, unknown>).token = TOKEN;
  const paragraph =
    '各位同事好，本周的发布计划如下：周三晚上 20:00 开始灰度发布新版审批流程，覆盖华东和华南两个区域的 5% 租户；' +
    'If the error rate stays below 0.1% for two hours we widen the rollout to 25%, then to everyone on Thursday morning. ' +
    '请各业务线负责人在周二下班前确认回滚预案，并在群里回复“已确认”。Dashboards: https://example.com/d/rollout?env=prod&region=cn-east ';
  let text = '';
  while (Buffer.byteLength(text) < 4300) text += paragraph;
  const message = (event.event as Record<string, Record<string, unknown>>).message!;
  message.content = JSON.stringify({ text });
  return JSON.stringify(event);
}

type Op = () => Promise<unknown>;

/**
 * Nanoseconds of this process's CPU time (user + system) per op. CPU time rather than wall time:
 * on a shared machine, time spent waiting for a core is not the code's cost.
 */
async function measure(op: Op, ops: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < ops; i++) await op();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / ops;
}


export async function runWebhookBench(options: WebhookBenchOptions = {}): Promise<WebhookBenchResult> {
  const rounds = options.rounds ?? 25;
  const ops = options.ops ?? 500;
  const warmup = options.warmup ?? 5000;

  const plainText = benchPayload();
  const encText = encryptBody(plainText, KEY);
  const plainBytes = Buffer.from(plainText);
  const encBytes = Buffer.from(encText);
  // Fixed headers for the whole run: well inside the 5-minute replay window.
  const plainHeaders = { 'content-type': 'application/json' };
  const encHeaders = { 'content-type': 'application/json', ...signRequest(encText, KEY) };

  let handled = 0;
  const ours = (validation: 'reject' | 'off', encryptKey?: string): WebhookHandler =>
    createWebhookHandler(
      new EventDispatcher({ validation, logger: silentLogger }).register_p2_im_message_receive_v1(() => void handled++),
      { verificationToken: TOKEN, encryptKey, logger: silentLogger },
    );
  const sdk = (encryptKey?: string) =>
    new lark.EventDispatcher({ verificationToken: TOKEN, encryptKey, loggerLevel: lark.LoggerLevel.error }).register({
      'im.message.receive_v1': async () => {
        handled++;
        return 'ok';
      },
    });

  const check = async (h: WebhookHandler, body: Buffer, headers: Record<string, string>) => {
    const r = await h.handle({ method: 'POST', path: '/webhook/event', headers, body });
    if (r.status !== 200) throw new Error(`bench delivery rejected: ${r.status} ${r.body}`);
    return r;
  };
  const web = (h: WebhookHandler, body: Buffer, headers: Record<string, string>) => {
    const fetchHandler = createWebHandler(h);
    const bytes = new Uint8Array(body);
    return async () => {
      const res = await fetchHandler(new Request('http://127.0.0.1/webhook/event', { method: 'POST', headers, body: bytes }));
      if (res.status !== 200) throw new Error(`bench delivery rejected: ${res.status}`);
      await res.arrayBuffer();
    };
  };
  // The SDK's adapters read the body as text, JSON.parse it and put the headers on the prototype.
  const viaSdk = (d: lark.EventDispatcher, body: Buffer, headers: Record<string, string>): Op => async () => {
    const data = Object.assign(Object.create({ headers }) as object, JSON.parse(body.toString()) as object);
    const r: unknown = await d.invoke(data);
    if (r !== 'ok') throw new Error(`the SDK did not handle the bench delivery: ${String(r)}`);
  };

  const oursPlainOn = ours('reject');
  const oursPlainOff = ours('off');
  const oursEncOn = ours('reject', KEY);
  const oursEncOff = ours('off', KEY);
  const core: [string, Op][] = [
    ['JSON.parse only (floor)', async () => JSON.parse(plainBytes.toString())],
    ['ours plaintext, validation on', () => check(oursPlainOn, plainBytes, plainHeaders)],
    ['ours plaintext, validation off', () => check(oursPlainOff, plainBytes, plainHeaders)],
    ['SDK plaintext', viaSdk(sdk(), plainBytes, plainHeaders)],
    ['ours encrypted, validation on', () => check(oursEncOn, encBytes, encHeaders)],
    ['ours encrypted, validation off', () => check(oursEncOff, encBytes, encHeaders)],
    ['SDK encrypted', viaSdk(sdk(KEY), encBytes, encHeaders)],
  ];
  // Measured apart: building Requests and reading Responses (which the host server does anyway)
  // leaves far more garbage, and whichever case ran next would pay for its collection.
  const webCases: [string, Op][] = [
    ['ours Web Request/Response, plaintext, validation on', web(oursPlainOn, plainBytes, plainHeaders)],
    ['ours Web Request/Response, encrypted, validation on', web(oursEncOn, encBytes, encHeaders)],
  ];
  const cases = [...core, ...webCases];

  const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
  for (const group of [core, webCases]) {
    for (const [, op] of group) await measure(op, warmup);
    // Interleaved rounds, each starting at another case, so that drift (GC debt, JIT, neighbours)
    // spreads over every case alike.
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < group.length; k++) {
        const [name, op] = group[(r + k) % group.length]!;
        samples.get(name)!.push(await measure(op, ops));
      }
    }
  }
  const rows = cases.map(([name]) => {
    const ns = median(samples.get(name)!);
    return { name, eventsPerSec: Math.round(1e9 / ns), usPerEvent: Math.round(ns / 10) / 100 };
  });
  const ratio = (ours: string, theirs: string) => {
    const a = samples.get(ours)!;
    const b = samples.get(theirs)!;
    const within = core.some(([n]) => n === ours);
    // Same group: the median of per-round ratios; the Web rows ran apart, so medians are compared.
    return Math.round((within ? median(a.map((ns, i) => b[i]! / ns)) : median(b) / median(a)) * 100) / 100;
  };
  const result: WebhookBenchResult = {
    payloadBytes: plainBytes.length,
    encryptedBytes: encBytes.length,
    rows,
    ratios: {
      plainValidated: ratio('ours plaintext, validation on', 'SDK plaintext'),
      plainUnvalidated: ratio('ours plaintext, validation off', 'SDK plaintext'),
      encryptedValidated: ratio('ours encrypted, validation on', 'SDK encrypted'),
      encryptedUnvalidated: ratio('ours encrypted, validation off', 'SDK encrypted'),
      webPlainValidated: ratio('ours Web Request/Response, plaintext, validation on', 'SDK plaintext'),
      webEncryptedValidated: ratio('ours Web Request/Response, encrypted, validation on', 'SDK encrypted'),
    },
  };
  if (handled === 0) throw new Error('no delivery reached a handler');

  if (options.print) {
    const w = Math.max(...rows.map((r) => r.name.length));
    console.log(`webhook bench: ${result.payloadBytes} B payload (${result.encryptedBytes} B encrypted), ${rounds} interleaved rounds x ${ops} deliveries per case, medians`);
    for (const r of rows) console.log(`  ${r.name.padEnd(w)}  ${String(r.eventsPerSec).padStart(8)} events/s  ${r.usPerEvent.toFixed(2).padStart(7)} µs`);
    console.log('  ours / SDK:', Object.entries(result.ratios).map(([k, v]) => `${k} ${v.toFixed(2)}x`).join(', '));
  }
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  await runWebhookBench({ rounds: arg('rounds'), ops: arg('ops'), warmup: arg('warmup'), print: true });
}
