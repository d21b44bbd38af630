/**
 * Webhook deliveries per second through node:http under a real load generator (autocannon,
 * 20 connections from two worker threads, keep-alive, pipelining 1): ours (createNodeHandler, validation on,
 * de-duplication on) vs the official SDK's adaptDefault vs a bare server that reads the body,
 * parses the JSON and answers 200 (the floor). Each server runs in its own child process
 * (bench/http-server.ts, via tsx for all three alike); every request carries a unique event id.
 *
 *   npx tsx bench/http.ts [--rounds 3] [--seconds 5]
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from './stats.js';
import { benchPayload } from './webhook.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOKEN = 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV';
const MODES = ['ours', 'official', 'floor'] as const;
/** Load-generator threads (HTTP_BENCH_WORKERS=0: autocannon in this thread). */
const WORKERS = Number(process.env.HTTP_BENCH_WORKERS ?? 2);
const REQUEST_MODULE = path.join(HERE, 'http-request.cjs');
type Mode = (typeof MODES)[number];

export interface HttpBenchResult {
  readonly payloadBytes: number;
  readonly rounds: number;
  readonly seconds: number;
  readonly rows: ReadonlyArray<{ name: Mode; requestsPerSec: number; p99Ms: number; p50Ms: number; errors: number; cpuUsPerRequest: number | undefined }>;
  /** Throughput ratios (medians of per-round ratios), and the same for server CPU per request (theirs ÷ ours: > 1 means ours uses less). */
  readonly ratios: { readonly oursOverOfficial: number; readonly oursOverFloor: number; readonly cpuOfficialOverOurs: number | undefined; readonly cpuFloorOverOurs: number | undefined };
}

/** ~7 KB: the webhook bench's message with a longer text. */
function payload(): { head: string; tail: string } {
  const event = JSON.parse(benchPayload()) as { header: { event_id: string }; event: { message: { content: string } } };
  const content = JSON.parse(event.event.message.content) as { text: string };
  while (Buffer.byteLength(JSON.stringify(event)) < 7000) {
    content.text += ' Status: green. 状态：正常。';
    event.event.message.content = JSON.stringify(content);
  }
  event.header.event_id = '@@ID@@';
  const [head, tail] = JSON.stringify(event).split('@@ID@@') as [string, string];
  return { head, tail };
}

function startServer(mode: Mode): Promise<{ child: ChildProcess; port: number }> {
  // node --import tsx (not the tsx CLI, which adds a parent process); HTTP_BENCH_NODE_ARGS adds
  // node flags to every server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.HTTP_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--import', 'tsx', ...extra, path.join(HERE, 'http-server.ts'), mode, TOKEN], { cwd: path.join(HERE, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
}

/** The server process's CPU time so far, µs (Linux /proc; undefined elsewhere). */
function cpuOf(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime + stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function load(port: number, seconds: number, body: { head: string; tail: string }, tag: string, pid?: number) {
  let n = 0;
  const cpu0 = cpuOf(pid);
  // Two worker threads generate the load, so that the load generator, which needs about as much
  // CPU per request as the server, is not what limits the rate (on a loaded machine above all).
  process.env.HTTP_BENCH_BODY = JSON.stringify({ head: body.head, tail: body.tail, tag });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/webhook/event`,
    connections: 20,
    pipelining: 1,
    duration: seconds,
    ...(WORKERS > 0 ? { workers: WORKERS } : {}),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: WORKERS > 0 ? REQUEST_MODULE : (req) => ({ ...req, body: `${body.head}${tag}-${n++}-${Math.random().toString(36).slice(2)}${body.tail}` }),
      },
    ],
  });
  const cpu1 = cpuOf(pid);
  const cpu = cpu0 !== undefined && cpu1 !== undefined && result.requests.total > 0 ? (cpu1 - cpu0) / result.requests.total : undefined;
  return { rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50, errors: result.errors + result.non2xx + result.timeouts, cpu };
}

function cpuMedian(s: ReadonlyArray<{ cpu: number | undefined }>): number | undefined {
  const xs = s.map((x) => x.cpu).filter((x): x is number => x !== undefined);
  return xs.length === s.length && xs.length > 0 ? Math.round(median(xs) * 10) / 10 : undefined;
}

export async function runHttpBench(options: { rounds?: number; seconds?: number; print?: boolean } = {}): Promise<HttpBenchResult> {
  const rounds = options.rounds ?? 3;
  const seconds = options.seconds ?? 5;
  const body = payload();
  const servers = new Map<Mode, { child: ChildProcess; port: number }>();
  for (const m of MODES) servers.set(m, await startServer(m));
  const samples = new Map<Mode, Array<{ rps: number; p99: number; p50: number; errors: number; cpu: number | undefined }>>(MODES.map((m) => [m, []]));
  try {
    for (const m of MODES) await load(servers.get(m)!.port, 1, body, `warm-${m}`);
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < MODES.length; k++) {
        const m = MODES[(r + k) % MODES.length]!;
        const sample = await load(servers.get(m)!.port, seconds, body, `r${r}-${m}`, servers.get(m)!.child.pid);
        if (process.env.HTTP_BENCH_VERBOSE) console.error(`  round ${r} ${m}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms, server CPU ${sample.cpu?.toFixed(1) ?? '?'} µs/req`);
        samples.get(m)!.push(sample);
      }
    }
  } finally {
    // Wait for the servers to be gone, so that their shutdown is not load on whatever runs next.
    await Promise.all([...servers.values()].map(({ child }) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    })));
  }
  const rows = MODES.map((name) => {
    const s = samples.get(name)!;
    return { name, requestsPerSec: Math.round(median(s.map((x) => x.rps))), p99Ms: median(s.map((x) => x.p99)), p50Ms: median(s.map((x) => x.p50)), errors: s.reduce((a, x) => a + x.errors, 0), cpuUsPerRequest: cpuMedian(s) };
  });
  const cpuRatio = (a: Mode, b: Mode) => {
    const xs = samples.get(a)!.map((x, i) => (x.cpu !== undefined && samples.get(b)![i]!.cpu ? x.cpu / samples.get(b)![i]!.cpu! : NaN)).filter((x) => !Number.isNaN(x));
    return xs.length === rounds ? Math.round(median(xs) * 100) / 100 : undefined;
  };
  const perRound = (a: Mode, b: Mode) => Math.round(median(samples.get(a)!.map((x, i) => x.rps / samples.get(b)![i]!.rps)) * 100) / 100;
  const result: HttpBenchResult = {
    payloadBytes: Buffer.byteLength(body.head + body.tail) + 20,
    rounds,
    seconds,
    rows,
    ratios: { oursOverOfficial: perRound('ours', 'official'), oursOverFloor: perRound('ours', 'floor'), cpuOfficialOverOurs: cpuRatio('official', 'ours'), cpuFloorOverOurs: cpuRatio('floor', 'ours') },
  };
  if (options.print) {
    console.log(`node:http bench: ~${result.payloadBytes} B, autocannon 20 connections, ${rounds} alternating rounds x ${seconds} s, medians`);
    for (const r of rows) console.log(`  ${r.name.padEnd(9)} ${String(r.requestsPerSec).padStart(7)} req/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  server CPU ${r.cpuUsPerRequest ?? '?'} µs/req  errors ${r.errors}`);
    console.log(`  ours/official ${result.ratios.oursOverOfficial}x, ours/floor ${result.ratios.oursOverFloor}x (req/s); server CPU per request official/ours ${result.ratios.cpuOfficialOverOurs ?? '?'}x, floor/ours ${result.ratios.cpuFloorOverOurs ?? '?'}x`);
  }
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  await runHttpBench({ rounds: arg('rounds'), seconds: arg('seconds'), print: true });
}
