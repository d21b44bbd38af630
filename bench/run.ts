// `npm run bench`: every comparison with the official Node SDK, in one run. Prints a table and
// writes bench/results.json. Not a test: numbers depend on the machine and its load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runColdStartBench } from './cold-start.js';
import { runRegenerateBench } from './regenerate.js';
import { requiredShare } from './required-share.js';
import { runTypecheckBench, typecheckRows } from './typecheck.js';
import { runValidationBench } from './validation.js';
import { runWebhookBench } from './webhook.js';
import { runWsBench } from './ws.js';
import { runHttpBench } from './http.js';
import { formatWsBurst, runWsBurst, WS_BURST_SCENARIOS } from './ws-burst.js';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only === 'http') {
  await runHttpBench({ print: true });
  process.exit(0);
}
if (only === 'ws-burst') {
  process.stdout.write(`${formatWsBurst(await runWsBurst())}\n`);
  process.exit(0);
}
if (only === 'ws') {
  const report = await runWsBench({});
  console.log(JSON.stringify(report, null, 2));
  process.exit(0);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const started = performance.now();
const step = (name: string) => process.stderr.write(`bench: ${name} (${Math.round((performance.now() - started) / 1000)} s)\n`);

step('webhook throughput');
const webhook = await runWebhookBench({ print: false, ...(quick ? { rounds: 5, ops: 200, warmup: 1000 } : {}) });
step('validation cost');
const validation = await runValidationBench(root, quick ? 2_000 : 20_000);
step('node:http throughput');
const http = await runHttpBench(quick ? { rounds: 1, seconds: 2 } : { rounds: 9, seconds: 3 });
step('cold start');
const coldStart = runColdStartBench(root, quick ? 3 : 9);
step('consumer type-check');
const typecheck = runTypecheckBench(root, quick ? 2 : 5);
step('long connection');
const ws = await runWsBench(quick ? { events: 1000, rounds: 2, warmup: 200 } : { rounds: 9 });
step('long-connection burst');
const wsBurst = await runWsBurst(quick ? { scenarios: WS_BURST_SCENARIOS.slice(0, 1) } : {});
step('regeneration');
const regenerate = runRegenerateBench(root, quick ? 1 : 3);

const cpus = os.cpus();
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}`, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
  officialSdk: (JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@larksuiteoapi/node-sdk/package.json'), 'utf8')) as { version: string }).version,
  webhook, http, validation, coldStart, typecheck, ws, wsBurst, regenerate,
  requiredShare: requiredShare(path.join(root, 'schemas')),
  seconds: Math.round((performance.now() - started) / 1000),
};
fs.writeFileSync(path.join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const lines: string[] = [];
const row = (...cells: Array<string | number>) => lines.push(`| ${cells.map((c) => (typeof c === 'number' ? fmt(c) : c)).join(' | ')} |`);
lines.push(`lark-event-catalog vs @larksuiteoapi/node-sdk ${results.officialSdk} — ${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}`, '');
lines.push('| comparison | ours | official | ratio (ours/official) |', '| --- | ---: | ---: | ---: |');
const sdk = webhook.rows.find((r) => /sdk/i.test(r.name) && /plain/i.test(r.name));
const sdkEnc = webhook.rows.find((r) => /sdk/i.test(r.name) && /encrypt/i.test(r.name));
for (const r of webhook.rows) {
  if (/sdk/i.test(r.name)) continue;
  const base = /encrypt/i.test(r.name) ? sdkEnc : sdk;
  row(`webhook ${r.name} (events/s)`, Math.round(r.eventsPerSec), base && !/JSON\.parse/i.test(r.name) ? Math.round(base.eventsPerSec) : '', base && !/JSON\.parse/i.test(r.name) ? `${fmt(r.eventsPerSec / base.eventsPerSec)}×` : '');
}
row('webhook ratio, plaintext + validation (median of per-round ratios)', '', '', `${webhook.ratios.plainValidated}×`);
row('webhook ratio, encrypted + validation', '', '', `${webhook.ratios.encryptedValidated}×`);
const httpRow = (name: 'ours' | 'official' | 'floor') => http.rows.find((r) => r.name === name);
const [hOurs, hOff, hFloor] = [httpRow('ours'), httpRow('official'), httpRow('floor')];
if (hOurs && hOff) {
  row('node:http deliveries/s (autocannon, 20 connections, ~7 KB)', hOurs.requestsPerSec, hOff.requestsPerSec, `${http.ratios.oursOverOfficial}×`);
  row('node:http p50 / p99 latency (ms)', `${hOurs.p50Ms} / ${hOurs.p99Ms}`, `${hOff.p50Ms} / ${hOff.p99Ms}`, '');
  if (hOurs.cpuUsPerRequest !== undefined && hOff.cpuUsPerRequest !== undefined) row('node:http server CPU per request (µs)', hOurs.cpuUsPerRequest, hOff.cpuUsPerRequest, `official/ours ${http.ratios.cpuOfficialOverOurs}×`);
}
if (hOurs && hFloor) {
  row('node:http ours vs the floor (read body, JSON.parse, 200): req/s', hOurs.requestsPerSec, `floor ${hFloor.requestsPerSec}`, `${http.ratios.oursOverFloor}× of the floor`);
  row('node:http floor p50 / p99 latency (ms)', '', `floor ${hFloor.p50Ms} / ${hFloor.p99Ms}`, '');
  if (hOurs.cpuUsPerRequest !== undefined && hFloor.cpuUsPerRequest !== undefined) row('node:http server CPU per request vs the floor (µs)', hOurs.cpuUsPerRequest, `floor ${hFloor.cpuUsPerRequest}`, `floor/ours ${http.ratios.cpuFloorOverOurs}×`);
}
const ours = ws.results.find((r) => /ours/i.test(r.name) && !/valid/i.test(r.name));
const off = ws.results.find((r) => /official/i.test(r.name));
if (ours && off) {
  row('long connection events/s', Math.round(ours.eventsPerSec), Math.round(off.eventsPerSec), `${fmt(ws.ratios.eventsPerSec)}×`);
  row('long connection p50 latency (ms)', ours.p50Ms, off.p50Ms, `${fmt(ws.ratios.p50)}×`);
  row('long connection p99 latency (ms)', ours.p99Ms, off.p99Ms, `${fmt(ws.ratios.p99)}×`);
  row('long connection loaded p50 / p99 latency (ms)', `${ours.loadedP50Ms} / ${ours.loadedP99Ms}`, `${off.loadedP50Ms} / ${off.loadedP99Ms}`, '');
  row('long connection process CPU per event, emulator included (µs)', ours.cpuUsPerEvent, off.cpuUsPerEvent, `official/ours ${fmt(ws.ratios.cpuPerEvent)}×`);
}
row(`cold start: import + dispatch one event (ms, fastest of ${coldStart.runs}; medians ${coldStart.oursMedianMs} / ${coldStart.officialMedianMs})`, coldStart.oursMs, coldStart.officialMs, `${coldStart.ratio}×`);
for (const r of typecheckRows(typecheck)) row(...r);
row(`full regeneration of ${regenerate.events} events (ms)`, regenerate.ms, '', '');
lines.push('', 'validation cost, ten largest schemas (µs per event, default / strict):', '');
lines.push('| event type | schema bytes | payload bytes | default µs | strict µs |', '| --- | ---: | ---: | ---: | ---: |');
for (const v of validation) row(v.eventType, v.schemaBytes, v.payloadBytes, v.nsDefault / 1000, v.nsStrict / 1000);
lines.push('', formatWsBurst(wsBurst));
lines.push('', 'required event-body fields per domain (what the types make non-optional; schemas/README.md, "Required fields"):', '');
lines.push('| domain | required | fields | share |', '| --- | ---: | ---: | ---: |');
for (const r of results.requiredShare) row(r.domain, r.required, r.total, `${(r.share * 100).toFixed(1)} %`);
lines.push('', `written to bench/results.json in ${results.seconds} s`);
process.stdout.write(lines.join('\n') + '\n');
