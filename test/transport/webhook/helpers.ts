import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventDispatcher, silentLogger } from '../../../src/index.js';
import { example } from '../../helpers.js';
import { encryptBody, signRequest } from '../../../src/entries/webhook.js';
import type { DispatcherOptions } from '../../../src/index.js';
import type { WebhookRequest } from '../../../src/entries/webhook.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TOKEN = 'vt_0123456789abcdefVerification';
export const KEY = 'ek_test Encrypt Key é';
export const JSON_CT = { 'content-type': 'application/json' };

type Json = Record<string, unknown>;

/** Example payloads with their token set to TOKEN and a fresh id. */
let seq = 0;
export function p2Message(id = `evt_${++seq}_${Date.now()}`): Json {
  const m = example('im', 'im.message.receive_v1');
  const header = m.header as Json;
  header.token = TOKEN;
  header.event_id = id;
  return m;
}
export function v1Message(uuid = `uuid_${++seq}_${Date.now()}`): Json {
  const m = example('v1', 'message');
  m.token = TOKEN;
  m.uuid = uuid;
  return m;
}
export function cardAction(id = `card_${++seq}_${Date.now()}`): Json {
  const m = example('callback', 'card.action.trigger');
  const header = m.header as Json;
  header.token = TOKEN;
  header.event_id = id;
  return m;
}
export function urlPreview(): Json {
  const m = example('callback', 'url.preview.get');
  (m.header as Json).token = TOKEN;
  return m;
}
export const challenge = (value = 'ch_' + Math.random().toString(36).slice(2), token = TOKEN): Json => ({ challenge: value, token, type: 'url_verification' });

export interface Recorded {
  readonly calls: { type: string; id: string | undefined; payload: unknown }[];
}

/** A dispatcher recording every handler call; the card callback answers a toast. */
export function recordingDispatcher(options: DispatcherOptions = {}, hooks: { fail?: (id: string | undefined) => boolean; delayMs?: number } = {}) {
  const rec: Recorded = { calls: [] };
  const run = async (type: string, id: string | undefined, payload: unknown) => {
    if (hooks.delayMs) await new Promise((r) => setTimeout(r, hooks.delayMs));
    rec.calls.push({ type, id, payload });
    if (hooks.fail?.(id)) throw new Error(`boom ${id}`);
  };
  const dispatcher = new EventDispatcher({ logger: silentLogger, validation: 'warn', ...options })
    .register_p2_im_message_receive_v1(async (e, c) => run(c.eventType, c.id, e))
    .register_p1_message(async (e, c) => run(c.eventType, c.id, e))
    .register_p2_card_action_trigger(async (e, c) => {
      await run(c.eventType, c.id, e);
      return { toast: { type: 'success' as const, content: `clicked ${e.event.action.tag ?? ''}` } };
    })
    .register_p2_url_preview_get(async (e, c) => {
      await run(c.eventType, c.id, e);
      return { inline: { title: `preview of ${e.event.context?.url ?? ''}` } };
    });
  return { dispatcher, rec };
}

/** A request the way the platform sends it: encrypted and signed when `key` is given. */
export function platformRequest(payload: Json | string, opts: { key?: string; timestamp?: string; path?: string; encrypt?: boolean } = {}): WebhookRequest & { text: string } {
  const plain = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const text = opts.key && opts.encrypt !== false ? encryptBody(plain, opts.key) : plain;
  const headers: Record<string, string> = { ...JSON_CT };
  if (opts.key) Object.assign(headers, signRequest(text, opts.key, opts.timestamp ? { timestamp: opts.timestamp } : {}));
  return { method: 'POST', path: opts.path ?? '/webhook/event', headers, body: Buffer.from(text, 'utf8'), text };
}

export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Json;
}

/** POSTs over a real socket; `chunkSize` writes the body in pieces of that many bytes. */
export function send(url: string, body: Uint8Array | string, headers: Record<string, string> = JSON_CT, opts: { method?: string; chunkSize?: number } = {}): Promise<RawResponse> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.chunkSize ? headers : { ...headers, 'content-length': String(bytes.length) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Json = {};
        try {
          json = text ? (JSON.parse(text) as Json) : {};
        } catch {
          json = { unparsable: text };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (opts.chunkSize && (opts.method ?? 'POST') !== 'GET') {
      let i = 0;
      const size = opts.chunkSize;
      const next = () => {
        if (i >= bytes.length) return req.end();
        const piece = bytes.subarray(i, i + size);
        i += size;
        req.write(piece, () => setImmediate(next));
      };
      next();
    } else {
      if ((opts.method ?? 'POST') !== 'GET') req.write(bytes);
      req.end();
    }
  });
}

export const parse = (body: string): Json => JSON.parse(body) as Json;
