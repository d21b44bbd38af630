import http from 'node:http';
import https from 'node:https';
import type { ClientConfig } from './config.js';
import type { HttpAgentLike } from './proxy.js';
import { applyServerConfig, DEFAULT_CLIENT_CONFIG } from './config.js';
import { hostOf, networkError, WSConnectError, WSOptionError } from './errors.js';

export { WSConnectError } from './errors.js';

export const ENDPOINT_PATH = '/callback/ws/endpoint';

/** Endpoint codes (long-connection.md §1). */
export const EndpointCode = {
  ok: 0,
  systemBusy: 1,
  internalError: 1000040343,
  tooManyConnections: 1000040350,
} as const;

export interface Endpoint {
  /** The wss URL: it carries short-lived credentials, never log it (see `redactUrl`). */
  readonly url: string;
  readonly deviceId: string | undefined;
  readonly serviceId: number;
  readonly config: ClientConfig;
}

/** `feishu`, `lark` or a base URL (no trailing slash needed). */
export function resolveDomain(domain: string | undefined): string {
  if (!domain || domain === 'feishu') return 'https://open.feishu.cn';
  if (domain === 'lark') return 'https://open.larksuite.com';
  return domain.replace(/\/+$/, '');
}

/**
 * Why a `domain` (after `resolveDomain`) cannot be used, or undefined when it can: it must be an
 * absolute http(s) base URL without query or fragment.
 */
function domainProblem(domain: string): string | undefined {
  let url: URL;
  try {
    url = new URL(domain);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `has the scheme ${url.protocol} (not http: or https:)`;
  if (url.hostname === '') return 'has no host';
  if (url.search !== '' || url.hash !== '') return 'has a query or fragment (give the base URL only)';
  return undefined;
}

/** What to say of a domain value: its text, less any password it carries. */
function shownDomain(domain: string): string {
  try {
    const url = new URL(domain);
    if (url.password !== '') {
      url.password = '***';
      return url.href.replace(/\/$/, '');
    }
  } catch {
    // not a URL: shown as given
  }
  return domain;
}

/**
 * A `WSOptionError` for an unusable `domain` (`label` names it, e.g. `--domain` for the CLI), or
 * undefined when `domain` (`feishu`, `lark` or a base URL) is fine.
 */
export function checkDomain(domain: string | undefined, label = 'WSClient: domain'): WSOptionError | undefined {
  const resolved = resolveDomain(domain);
  const problem = domainProblem(resolved);
  if (problem === undefined) return undefined;
  const shown = shownDomain(domain ?? '');
  return new WSOptionError('domain', `${label} ${JSON.stringify(shown)} ${problem}: use feishu, lark or an http(s) base URL such as https://open.feishu.cn`, shown);
}

/** Keeps scheme, host, path and `device_id`: the rest of the query (ticket, keys) is secret. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const deviceId = u.searchParams.get('device_id');
    return `${u.protocol}//${u.host}${u.pathname}${deviceId !== null ? `?device_id=${encodeURIComponent(deviceId)}` : ''}`;
  } catch {
    return '<unparseable url>';
  }
}

/** Is this endpoint code worth retrying? 1 and 1000040343 yes; 1000040350 and any other non-zero no. */
export function isRetryableCode(code: number): boolean {
  return code === EndpointCode.systemBusy || code === EndpointCode.internalError;
}

export interface FetchEndpointOptions {
  domain: string;
  appId: string;
  appSecret: string;
  timeoutMs?: number | undefined;
  userAgent?: string | undefined;
  config?: ClientConfig | undefined;
  /** Aborts the request (e.g. the client is closing). */
  signal?: AbortSignal | undefined;
  /** The node:http Agent to send the request through (e.g. a proxy agent); a direct connection when unset. */
  agent?: HttpAgentLike | undefined;
}

/** The most an endpoint answer may hold: it is a small JSON object. */
const MAX_ENDPOINT_BODY_BYTES = 1024 * 1024;

/**
 * POSTs JSON with node:http(s) rather than fetch, so that an http.Agent (a proxy agent) can carry
 * the request: fetch takes undici dispatchers, not agents, and the WebSocket upgrade needs an agent.
 */
function postJson(url: string, body: string, options: { headers: Record<string, string>; signal: AbortSignal; agent: HttpAgentLike | undefined }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? https : http).request(url, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: options.signal,
      ...(options.agent ? { agent: options.agent as http.Agent } : {}),
    }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ENDPOINT_BODY_BYTES) {
          response.destroy(new Error(`endpoint answer larger than ${MAX_ENDPOINT_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', (err) => reject(options.signal.aborted && options.signal.reason instanceof Error ? options.signal.reason : err));
    request.end(body);
  });
}

/** A signal that aborts when either does. */
function eitherSignal(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  if (!b) return a;
  const controller = new AbortController();
  for (const s of [a, b]) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

/**
 * Pulls a fresh connection URL and client config. Throws `WSConnectError`: fatal for rejected
 * credentials and connection limits, retryable for busy servers, HTTP and network failures.
 */
export async function fetchEndpoint(options: FetchEndpointOptions): Promise<Endpoint> {
  const invalid = checkDomain(options.domain, 'domain');
  if (invalid) throw new WSConnectError(invalid.message, true, undefined, { cause: invalid });
  const url = `${resolveDomain(options.domain)}${ENDPOINT_PATH}`;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const host = hostOf(url);
  let response: { status: number; text: string };
  try {
    response = await postJson(url, JSON.stringify({ AppID: options.appId, AppSecret: options.appSecret }), {
      headers: { 'content-type': 'application/json', locale: 'zh', 'user-agent': options.userAgent ?? 'lark-event-catalog' },
      signal: eitherSignal(AbortSignal.timeout(timeoutMs), options.signal),
      agent: options.agent,
    });
  } catch (err) {
    throw networkError('endpoint request', url, err, timeoutMs);
  }
  if (response.status < 200 || response.status > 299) throw new WSConnectError(`endpoint ${host} answered HTTP ${response.status}`, false, undefined, { host });
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    throw new WSConnectError('endpoint answered a body that is not JSON', false, undefined, { host });
  }
  const record = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; msg?: unknown; data?: unknown };
  const code = typeof record.code === 'number' ? record.code : Number.NaN;
  const msg = typeof record.msg === 'string' ? record.msg : '';
  if (code !== EndpointCode.ok) {
    if (Number.isNaN(code)) throw new WSConnectError('endpoint answered without a numeric code', false, undefined, { host });
    const fatal = !isRetryableCode(code);
    const what = code === EndpointCode.tooManyConnections ? 'too many connections' : code === EndpointCode.systemBusy ? 'system busy' : msg || 'error';
    throw new WSConnectError(`endpoint refused: code ${code} (${what})`, fatal, code, { host });
  }
  const data = (typeof record.data === 'object' && record.data !== null ? record.data : {}) as { URL?: unknown; ClientConfig?: unknown };
  if (typeof data.URL !== 'string' || !/^wss?:\/\//.test(data.URL)) throw new WSConnectError('endpoint answered without a ws(s) URL', false, undefined, { host });
  let parsed: URL;
  try {
    parsed = new URL(data.URL);
  } catch {
    throw new WSConnectError('endpoint answered an invalid URL', false, undefined, { host });
  }
  const serviceId = Number(parsed.searchParams.get('service_id') ?? '0');
  return {
    url: data.URL,
    deviceId: parsed.searchParams.get('device_id') ?? undefined,
    serviceId: Number.isInteger(serviceId) ? serviceId : 0,
    config: applyServerConfig(options.config ?? DEFAULT_CLIENT_CONFIG, data.ClientConfig).config,
  };
}
