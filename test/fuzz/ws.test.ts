/**
 * Hostile frames on the long connection: thousands of frames from a seeded PRNG pushed to a real
 * WSClient by a stand-in platform (endpoint + WebSocket server on 127.0.0.1), interleaved with
 * valid deliveries, some split into fragments with garbage between them, and redeliveries.
 * Bad protobuf, wrong headers and methods, text messages, bad fragments, bad JSON and UTF-8, deep
 * and huge payloads, hostile pong configs, and at the end frames that break the WebSocket
 * protocol itself (the client must reconnect). No crash, no handler call for a hostile frame, no
 * code 200 for one, every valid delivery answered 200 and its handler run exactly once.
 *
 * Every frame crosses a real loopback socket: at these sizes the socket costs little next to the
 * dispatch, and it is what carries the protocol-level hostility.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { MemoryIdempotencyStore } from '../../src/index.js';
import { seededRandom } from '../../src/emulator/random.js';
import { decodeFrame, encodeFrame, FrameMethod, headerValue, WSClient } from '../../src/transport/ws/index.js';
import type { Frame } from '../../src/transport/ws/index.js';
import { cardAction, p2Message, recordingDispatcher } from '../transport/webhook/helpers.js';
import { captureLogger, waitFor } from '../transport/ws/helpers.js';
import { fuzzSeed } from './seed.js';

const SEED = fuzzSeed(0x5eed_f00d);
const rand = seededRandom(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
/** Generated cases; about 80 % hostile, some of them several frames. */
const COUNT = 6_000;
/** Hostile frames this suite must send: with test/fuzz/webhook.test.ts's requests, over 10,000. */
const MIN_HOSTILE = 5_000;
const SERVICE_ID = 7;
const APP_ID = 'cli_fuzz0123456789';
const APP_SECRET = 'fuzz-app-secret';

const enc = new TextEncoder();
type Json = Record<string, unknown>;
type Wire = Uint8Array | string;

interface Case {
  readonly name: string;
  /** What goes on the wire, in order: encoded frames, raw bytes, or text messages. */
  readonly wire: Wire[];
  /** A valid delivery: the message_id its answer carries and the id its handler sees. */
  readonly valid?: { readonly messageId: string; readonly id: string; readonly callback: boolean };
  /** A hostile frame's message_id, when it has one: never answered 200. */
  readonly hostileMessageId?: string;
  /** Frames in `wire` that are hostile. */
  readonly hostileFrames: number;
  /** A redelivery goes out once the original (this message_id) was answered, as the platform's would. */
  readonly after?: string;
}

let seqId = 0n;
let msgSeq = 0;
const nextMessageId = (prefix: string) => `${prefix}-${++msgSeq}`;

function dataFrame(payload: Uint8Array, headers: Record<string, string>, extra: Partial<Frame> = {}): Frame {
  return {
    SeqID: ++seqId,
    LogID: BigInt(int(1e9)),
    service: SERVICE_ID,
    method: FrameMethod.data,
    headers: Object.entries(headers).map(([key, value]) => ({ key, value })),
    payload,
    ...extra,
  };
}
const eventHeaders = (messageId: string, sum = 1, seq = 0): Record<string, string> => ({ type: 'event', message_id: messageId, sum: String(sum), seq: String(seq), trace_id: `t-${messageId}` });
const frameOf = (payload: Uint8Array | string, messageId: string, headers?: Record<string, string>) =>
  encodeFrame(dataFrame(typeof payload === 'string' ? enc.encode(payload) : payload, headers ?? eventHeaders(messageId)));

let badSeq = 0;
/** An otherwise valid event whose id marks it hostile: its handler must never run. */
const badEvent = (): Json => pick([() => p2Message(`bad-${++badSeq}`), () => cardAction(`bad-${++badSeq}`)])();
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
const randomAscii = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
const one = (name: string, wire: Wire, hostileMessageId?: string): Case => ({ name, wire: [wire], hostileFrames: 1, ...(hostileMessageId ? { hostileMessageId } : {}) });

/** Payloads that no dispatcher may accept: the frame is fine, the body is not. */
const badPayload: Record<string, () => Uint8Array | string> = {
  truncatedJson: () => {
    const t = JSON.stringify(badEvent());
    return t.slice(0, 1 + int(t.length - 2));
  },
  malformedJson: () => pick(['{', '}', '{"a":}', '{"schema":"2.0",,}', "{'a':1}", 'nul', '{"a":1}}', '[', '{"a":"\\x"}', randomAscii(1 + int(40)), '', 'null', '42', '"str"', '[]', 'true']),
  invalidUtf8: () => {
    const t = Buffer.from(JSON.stringify(badEvent()), 'utf8');
    const at = int(t.length);
    return Buffer.concat([t.subarray(0, at), Buffer.from(pick([[0xff], [0xc3], [0xe4, 0xbd], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]])), t.subarray(at)]);
  },
  wrongShape: () => {
    const e = badEvent();
    const h = e.header as Json;
    pick<() => void>([
      () => delete e.event,
      () => (e.event = 'str'),
      () => (e.event = [e.event]),
      () => (e.header = []),
      () => (e.header = 'x'),
      () => (h.event_type = 42),
      () => delete h.event_type,
      () => (h.event_type = ''),
      () => (e.schema = '3.0'),
      () => (e.schema = 2),
    ])();
    return JSON.stringify(e);
  },
  protoKeys: () => {
    const e = JSON.stringify(badEvent());
    return pick([`{"__proto__":${e}}`, `{"constructor":{"prototype":${e}}}`, `{"__proto__":{"schema":"2.0"},"header":[]}`]);
  },
  encryptedWrapper: () => JSON.stringify({ encrypt: Buffer.from(randomBytes(16 * (1 + int(6)))).toString('base64') }),
  randomBinary: () => randomBytes(1 + int(300)),
};

const hostile: Record<string, () => Case> = {
  // Not a frame at all.
  randomBytes: () => one('random-bytes', randomBytes(1 + int(200))),
  truncatedFrame: () => {
    const id = nextMessageId('bad');
    const bytes = frameOf(JSON.stringify(badEvent()), id);
    // Cut inside the frame: a required field or a length prefix goes missing.
    return one('truncated-frame', bytes.subarray(0, 1 + int(Math.min(bytes.length - 1, 40))), id);
  },
  wrongWireType: () => {
    // Field 1 (SeqID, a varint) sent length-delimited, field 4 as a fixed64, an unknown group...
    return one('wrong-wire-type', Uint8Array.from(pick([[0x0a, 0x02, 0x01, 0x02], [0x21, 1, 2, 3, 4, 5, 6, 7, 8], [0x0b, 0x0c], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], [0x42, 0xff, 0xff, 0xff, 0xff, 0x0f]])));
  },
  textMessage: () => one('text-message', pick([JSON.stringify(badEvent()), randomAscii(1 + int(80)), '']), undefined),
  // A well-formed frame whose headers or method must keep it from any handler.
  wrongType: () => {
    const id = nextMessageId('bad');
    const headers = eventHeaders(id);
    const variant = int(4);
    if (variant === 0) delete (headers as Partial<Record<string, string>>).type;
    else headers.type = pick(['', 'EVENT', 'ping', 'pong', 'events', 'card ', 'x'.repeat(1 + int(5000))]);
    return one('wrong-type', frameOf(JSON.stringify(badEvent()), id, headers), id);
  },
  wrongMethod: () => {
    const id = nextMessageId('bad');
    return one('wrong-method', encodeFrame(dataFrame(enc.encode(JSON.stringify(badEvent())), eventHeaders(id), { method: pick([2, 3, -1, 99, 2 ** 31 - 1]) })), id);
  },
  controlWithEvent: () => {
    const id = nextMessageId('bad');
    return one('control-with-event', encodeFrame(dataFrame(enc.encode(JSON.stringify(badEvent())), { ...eventHeaders(id), type: pick(['event', 'pong', 'ping']) }, { method: FrameMethod.control })), id);
  },
  badSumSeq: () => {
    const id = nextMessageId('bad');
    const [sum, seq] = pick<[string, string]>([['2', '2'], ['2', '-1'], ['0', '0'], ['x', '0'], ['2', '0.5'], ['1', '1'], ['-1', '0'], ['1e3', '0'], ['', ''], ['99999999999', '0'], ['1', ' 0x0'], ['NaN', 'NaN']]);
    return one('bad-sum-seq', frameOf(JSON.stringify(badEvent()), id, { ...eventHeaders(id), sum, seq }), id);
  },
  // Fragments that never make a message.
  partialFragments: () => {
    const id = nextMessageId('bad');
    const bytes = enc.encode(JSON.stringify(badEvent()));
    const sum = 2 + int(5);
    const half = Math.floor(bytes.length / 2);
    const parts = Array.from({ length: 1 + int(sum - 1) }, (_, i) => frameOf(bytes.subarray(0, half), id, eventHeaders(id, sum, i)));
    return { name: 'partial-fragments', wire: parts, hostileMessageId: id, hostileFrames: parts.length };
  },
  mismatchedSums: () => {
    const id = nextMessageId('bad');
    const bytes = enc.encode(JSON.stringify(badEvent()));
    const half = Math.floor(bytes.length / 2);
    const wire = [frameOf(bytes.subarray(0, half), id, eventHeaders(id, 2, 0)), frameOf(bytes.subarray(half), id, eventHeaders(id, 3, 1))];
    return { name: 'mismatched-sums', wire, hostileMessageId: id, hostileFrames: 2 };
  },
  hugeFragmentCount: () => {
    const id = nextMessageId('bad');
    return one('huge-fragment-count', frameOf(JSON.stringify(badEvent()), id, eventHeaders(id, pick([1_025, 100_000, 999_999_999]), int(1_000))), id);
  },
  // Complete frames whose payload is hostile: dispatched, answered non-200, no handler.
  badPayload: () => {
    const id = nextMessageId('bad');
    const kind = pick(Object.keys(badPayload));
    return one(`payload-${kind}`, frameOf(badPayload[kind]!(), id), id);
  },
  fragmentedBadPayload: () => {
    const id = nextMessageId('bad');
    const bytes = (() => {
      const p = badPayload[pick(['truncatedJson', 'invalidUtf8', 'wrongShape'])]!();
      return typeof p === 'string' ? enc.encode(p) : p;
    })();
    const cut = 1 + int(Math.max(1, bytes.length - 2));
    const wire = [frameOf(bytes.subarray(cut), id, eventHeaders(id, 2, 1)), frameOf(bytes.subarray(0, cut), id, eventHeaders(id, 2, 0))];
    return { name: 'fragmented-bad-payload', wire, hostileMessageId: id, hostileFrames: 2 };
  },
  hostilePong: () => {
    const config = pick<unknown>([{ PingInterval: 0 }, { PingInterval: -5 }, { PingInterval: 'NaN' }, { PingInterval: 1e12 }, { ReconnectCount: 1.5 }, { ReconnectInterval: -1 }, [], 'x', null, { PingInterval: { valueOf: 1 } }]);
    const payload = rand() < 0.8 ? enc.encode(JSON.stringify(config)) : randomBytes(1 + int(40));
    return one('hostile-pong', encodeFrame({ SeqID: 0n, LogID: 0n, service: SERVICE_ID, method: FrameMethod.control, headers: [{ key: 'type', value: 'pong' }], payload }));
  },
};
const rare: Record<string, () => Case> = {
  deep: () => {
    const id = nextMessageId('bad');
    const depth = 100_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const text = pick([nested, JSON.stringify(badEvent()).replace(/\}$/, `,"deep":${nested}}`)]);
    return one('deep', frameOf(text, id), id);
  },
  huge: () => {
    const id = nextMessageId('bad');
    // Several MiB: a broken envelope, or the JSON cut short, padded.
    const e = badEvent();
    const variant = int(2);
    if (variant === 0) (e.header as Json).event_type = 42;
    const text = JSON.stringify({ ...e, pad: 'x'.repeat((2 + int(3)) * 1024 * 1024) });
    return one('huge', frameOf(variant === 0 ? text : text.slice(0, -2), id), id);
  },
};

let okSeq = 0;
const validSent: Array<{ text: string; id: string; messageId: string; at: number }> = [];
function validCase(at: number): Case {
  const callback = rand() < 0.15;
  const id = `ok-${++okSeq}`;
  const text = JSON.stringify(callback ? cardAction(id) : p2Message(id));
  const c = split(text, { id, callback }, 'valid');
  if (!callback) validSent.push({ text, id, messageId: c.valid!.messageId, at });
  return c;
}
/** A platform redelivery of an earlier event (at least 100 cases back): same body, new message_id. */
function redelivery(at: number): Case | undefined {
  const old = validSent.filter((v) => v.at < at - 100);
  if (old.length === 0) return undefined;
  const earlier = pick(old);
  return { ...split(earlier.text, { id: earlier.id, callback: false }, 'redelivery'), after: earlier.messageId };
}
/** One frame, or 2–4 fragments sent in a shuffled order. */
function split(text: string, who: { id: string; callback: boolean }, name: string): Case {
  const messageId = nextMessageId('ok');
  const bytes = enc.encode(text);
  const sum = rand() < 0.3 ? 2 + int(3) : 1;
  const size = Math.ceil(bytes.length / sum);
  const parts = Array.from({ length: sum }, (_, i) => frameOf(bytes.subarray(i * size, (i + 1) * size), messageId, eventHeaders(messageId, sum, i)));
  for (let i = parts.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return { name, wire: parts, valid: { messageId, ...who }, hostileFrames: 0 };
}

/** The stream: hostile cases, valid deliveries whose fragments have hostile frames between them, redeliveries. */
/** At least `count` cases, and more until `minHostile` frames are hostile (any seed). */
function generate(count: number, minHostile: number): Case[] {
  const kinds = Object.values(hostile);
  const cases: Case[] = [];
  let hostileFrames = 0;
  for (let i = 0; i < count || hostileFrames < minHostile; i++) {
    const r = rand();
    if (r < 0.13) {
      const v = validCase(i);
      if (v.wire.length > 1) {
        // Garbage between the fragments of a valid delivery.
        const noise = kinds[int(kinds.length)]!();
        push({ ...v, wire: [v.wire[0]!, ...noise.wire, ...v.wire.slice(1)], hostileFrames: noise.hostileFrames });
        if (noise.hostileMessageId) push({ name: `${noise.name} (between fragments)`, wire: [], hostileMessageId: noise.hostileMessageId, hostileFrames: 0 });
      } else {
        push(v);
      }
    } else if (r < 0.16) {
      push(redelivery(i) ?? validCase(i));
    } else {
      push(pick(kinds)());
    }
  }
  for (const make of Object.values(rare)) for (let i = 0; i < 4; i++) cases.splice(int(cases.length), 0, make());
  return cases;
  function push(c: Case): void {
    cases.push(c);
    hostileFrames += c.hostileFrames;
  }
}

/** The stand-in platform: endpoint discovery and one WebSocket server, on 127.0.0.1, port 0. */
class Platform {
  readonly answers = new Map<string, number[]>();
  readonly connections: WebSocket[] = [];
  private readonly http = http.createServer((req, res) => this.endpoint(req, res));
  private readonly wss = new WebSocketServer({ server: this.http, path: '/ws' });
  private devices = 0;
  url = '';

  async start(): Promise<void> {
    this.wss.on('connection', (ws) => {
      this.connections.push(ws);
      ws.on('message', (data: Buffer) => this.onClientFrame(ws, data));
      ws.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  get current(): WebSocket | undefined {
    const ws = this.connections.at(-1);
    return ws && ws.readyState === WebSocket.OPEN ? ws : undefined;
  }

  private endpoint(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    req.on('end', () => {
      const port = (this.http.address() as AddressInfo).port;
      const url = `ws://127.0.0.1:${port}/ws?device_id=fuzz-${++this.devices}&service_id=${SERVICE_ID}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 0, data: { URL: url, ClientConfig: { PingInterval: 30, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 } } }));
    });
  }

  private onClientFrame(ws: WebSocket, data: Buffer): void {
    const frame = decodeFrame(data);
    if (frame.method === FrameMethod.control) {
      if (headerValue(frame, 'type') === 'ping') ws.send(encodeFrame({ ...frame, headers: [{ key: 'type', value: 'pong' }] }));
      return;
    }
    const id = headerValue(frame, 'message_id') ?? '<none>';
    const { code } = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { code: number };
    const list = this.answers.get(id);
    if (list) list.push(code);
    else this.answers.set(id, [code]);
  }

  /** Resolves once the client has read every message sent before: a WebSocket ping's pong comes back in order. */
  barrier(ws: WebSocket): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        ws.off('pong', done);
        ws.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, 10_000);
      ws.once('pong', done);
      ws.once('close', done);
      ws.ping();
    });
  }

  async close(): Promise<void> {
    for (const ws of this.connections) ws.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/**
 * WebSocket frames that break the protocol (RFC 6455): each makes the client's socket fail; the
 * client must reconnect and keep delivering.
 */
const PROTOCOL_BREAKERS: ReadonlyArray<[string, Buffer]> = [
  ['reserved opcode 0x3', Buffer.from([0x83, 0x00])],
  ['RSV1 without an extension', Buffer.from([0xc2, 0x01, 0x00])],
  ['masked server frame', Buffer.from([0x82, 0x81, 1, 2, 3, 4, 0x00])],
  ['continuation without a start', Buffer.from([0x80, 0x01, 0x00])],
  ['fragmented ping', Buffer.from([0x09, 0x00])],
  ['close with an invalid code', Buffer.from([0x88, 0x02, 0x03, 0xe7])],
  ['text frame with bad UTF-8', Buffer.from([0x81, 0x02, 0xc3, 0x28])],
];

describe('hostile frame fuzz (long connection)', () => {
  const { dispatcher, rec } = recordingDispatcher({ idempotency: new MemoryIdempotencyStore() });
  const platform = new Platform();
  const log = captureLogger();
  let client: WSClient;

  beforeAll(async () => {
    await platform.start();
    client = new WSClient({ appId: APP_ID, appSecret: APP_SECRET, domain: platform.url, dispatcher, logger: log, reconnectBaseMs: 20, fragmentTtlMs: 5_000 });
    await client.start();
  });
  afterAll(async () => {
    await client.close();
    await platform.close();
  });

  it(`survives ${COUNT}+ generated cases, ${MIN_HOSTILE}+ hostile frames (seed 0x${SEED.toString(16)}), and WebSocket protocol breakers`, { timeout: 120_000 }, async () => {
    const cases = generate(COUNT, MIN_HOSTILE);
    const hostileFrames = cases.reduce((n, c) => n + c.hostileFrames, 0);
    const frames = cases.reduce((n, c) => n + c.wire.length, 0);
    console.log(`ws fuzz: seed 0x${SEED.toString(16)} (set LARK_FUZZ_SEED to replay), ${cases.length} cases, ${frames} frames, ${hostileFrames} hostile`);
    expect(hostileFrames).toBeGreaterThanOrEqual(MIN_HOSTILE);

    const ws = platform.current!;
    let sent = 0;
    for (const c of cases) {
      if (c.after) await waitFor(() => platform.answers.has(c.after!), 30_000, `the answer to ${c.after} before its redelivery`);
      for (const w of c.wire) ws.send(w, { binary: typeof w !== 'string' });
      sent += c.wire.length;
      // Pace by the client's intake, never by its answers: a bounded queue must not refuse valid ones.
      if (sent >= 32) {
        sent = 0;
        await platform.barrier(ws);
        await waitFor(() => client.pending <= 8, 30_000, 'the client to catch up');
      }
    }
    await platform.barrier(ws);
    const valid = cases.filter((c) => c.valid);
    await waitFor(() => client.pending === 0 && valid.every((c) => platform.answers.has(c.valid!.messageId)), 30_000, 'every valid delivery to be answered');
    expect(ws.readyState, 'the hostile frames did not cost the connection').toBe(WebSocket.OPEN);

    // WebSocket-level breakers: each kills the socket; the client reconnects and delivers again.
    const breakers: string[] = [];
    for (const [name, bytes] of PROTOCOL_BREAKERS) {
      const before = platform.connections.length;
      const victim = platform.current!;
      const closed = new Promise<void>((resolve) => victim.once('close', () => resolve()));
      // Written under the ws library, on its net.Socket (`_socket`): ws itself never sends such frames.
      (victim as unknown as { _socket: { write(b: Buffer): void } })._socket.write(bytes);
      await closed;
      await waitFor(() => platform.connections.length > before && platform.current !== undefined && client.state === 'connected', 15_000, `a reconnect after ${name}`);
      const after = split(JSON.stringify(p2Message(`ok-after-${breakers.length}`)), { id: `ok-after-${breakers.length}`, callback: false }, 'after-breaker');
      for (const w of after.wire) platform.current!.send(w);
      await waitFor(() => platform.answers.has(after.valid!.messageId), 10_000, `the delivery after ${name}`);
      expect(platform.answers.get(after.valid!.messageId), name).toEqual([200]);
      valid.push(after);
      breakers.push(name);
    }
    expect(breakers).toHaveLength(PROTOCOL_BREAKERS.length);

    // Every valid delivery: one answer, 200. Every hostile one: never 200.
    for (const c of valid) expect(platform.answers.get(c.valid!.messageId), `${c.name} ${c.valid!.messageId}`).toEqual([200]);
    for (const c of cases.filter((x) => x.hostileMessageId)) expect(platform.answers.get(c.hostileMessageId!) ?? [], `${c.name} ${c.hostileMessageId}`).not.toContain(200);
    const answered200 = [...platform.answers].filter(([, codes]) => codes.includes(200)).map(([id]) => id);
    expect(answered200.filter((id) => !id.startsWith('ok-'))).toEqual([]);
    // A frame cut short can lose its message_id and still decode: its answer, if any, is never 200.
    const sentIds = new Set([...valid.map((c) => c.valid!.messageId), ...cases.flatMap((c) => (c.hostileMessageId ? [c.hostileMessageId] : []))]);
    const stray = [...platform.answers].filter(([id]) => !sentIds.has(id));
    console.log(`ws fuzz: answers to frames without a known message_id: ${JSON.stringify(stray)}`);
    expect(stray.filter(([, codes]) => codes.includes(200))).toEqual([]);

    // Handlers: only valid ids; every event exactly once (redeliveries included); callbacks once per delivery.
    expect(rec.calls.filter((c) => !String(c.id).startsWith('ok-'))).toEqual([]);
    const eventIds = rec.calls.filter((c) => c.type !== 'card.action.trigger').map((c) => String(c.id));
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(new Set(rec.calls.map((c) => String(c.id)))).toEqual(new Set(valid.map((c) => c.valid!.id)));
    const callbackDeliveries = valid.filter((c) => c.valid!.callback).length;
    expect(rec.calls.filter((c) => c.type === 'card.action.trigger')).toHaveLength(callbackDeliveries);

    // No dispatch threw; the live config survived the hostile pongs.
    expect(log.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(client.config.pingIntervalMs).toBe(30_000);
    expect(client.state).toBe('connected');
  });
});
