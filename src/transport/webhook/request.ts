import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import { WebhookError } from './errors.js';

/** Request headers: a Web `Headers`, or a record as node:http gives them (any key case). */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The body a framework already parsed when its raw bytes are gone (e.g. express.json() mounted first). */
export interface ParsedBody {
  readonly parsed: unknown;
}

/** One HTTP request, transport-independent: adapters build it from their framework's request. */
export interface WebhookRequest {
  readonly method: string;
  /** The request path (a query string is ignored); only compared when the handler has a `path`. */
  readonly path?: string | undefined;
  readonly headers: HeadersLike;
  /** The exact bytes received. */
  readonly body: Uint8Array | ParsedBody;
}

export interface WebhookResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
  /** The dispatch outcome, when the delivery was dispatched before the answer. */
  readonly result?: DispatchOutcome;
}

/** The content type of every answer. */
export const JSON_TYPE = 'application/json; charset=utf-8';
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': JSON_TYPE });


/** Each response gets its own headers object: adapters and frameworks may add to it. */
export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): WebhookResponse {
  return { status, headers: headers === undefined ? { 'content-type': JSON_TYPE } : { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** Are these headers just the JSON content type (what jsonResponse gives without extra headers)? */
export function onlyJsonType(headers: Readonly<Record<string, string>>): boolean {
  if (headers['content-type'] !== JSON_TYPE) return false;
  for (const name in headers) if (name !== 'content-type') return false;
  return true;
}

export function errorResponse(error: WebhookError): WebhookResponse {
  return jsonResponse(error.status, error.toBody(), error.status === 405 ? { allow: 'POST' } : undefined);
}

const isWebHeaders = (h: HeadersLike): h is Headers => typeof (h as { get?: unknown }).get === 'function';

/** `name` must be lowercase. */
export function getHeader(headers: HeadersLike, name: string): string | undefined {
  // Duck-typed: reading the global `Headers` in Node goes through a lazy getter on every access.
  if (isWebHeaders(headers)) return headers.get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const lower = name.toLowerCase();
  let value = Object.hasOwn(record, lower) ? record[lower] : undefined;
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === lower) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}

export function pathOf(url: string): string {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x3f /* ? */ || c === 0x23 /* # */) return url.slice(0, i);
  }
  return url;
}

const contentTypeError = (message: string) => new WebhookError(message, 415, { header: 'Content-Type', expected: 'application/json' });

/** 415 unless the media type is application/json; a charset parameter must be UTF-8. */
export function checkContentType(value: string | undefined): void {
  if (value === 'application/json' || value === 'application/json; charset=utf-8') return;
  const fail = contentTypeError;
  if (value === undefined) throw fail('missing content type');
  const [type = '', ...params] = value.split(';');
  if (type.trim().toLowerCase() !== 'application/json') throw fail('unsupported content type');
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') throw fail('unsupported charset');
  }
}
