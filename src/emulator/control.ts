import type http from 'node:http';
import { HttpError, readJson, sendJson } from './http.js';
import type { ConnectionInfo, EmulatorSettings, EmulatorStats, Settings, TriggerAnswer, TriggerOptions } from './types.js';

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A `Host` header naming 127.0.0.1, localhost or [::1], with any port. */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  const m = /^(\[[^\]]*\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host ?? '');
  return m !== null && LOOPBACK_HOSTNAMES.has(m[1]!.toLowerCase());
}

/** An http(s) URL (or origin) whose host is 127.0.0.1, localhost or [::1]. */
export function isLoopbackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(url.hostname);
}

/**
 * The control API changes where pushes go and makes the emulator sign payloads, so a web page
 * must not reach it: no foreign `Host` (DNS rebinding), no foreign `Origin`, and POSTs only as
 * `application/json`, which browsers cannot send cross-origin without a CORS preflight (never answered).
 */
function checkControlRequest(req: http.IncomingMessage): void {
  if (!isLoopbackHostHeader(req.headers.host)) throw new HttpError(403, 'the control API answers only requests to 127.0.0.1, localhost or [::1]');
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackUrl(origin)) throw new HttpError(403, `cross-origin request from ${JSON.stringify(origin)} refused`);
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new HttpError(415, 'use Content-Type: application/json');
  }
}

/** What the control endpoints act on. */
export interface ControlTarget {
  readonly settings: Settings;
  stats(): EmulatorStats;
  connections(): ConnectionInfo[];
  trigger(input: string | Record<string, unknown>, options?: TriggerOptions): Promise<TriggerAnswer>;
  dropConnections(): number;
  challenge(appId?: string): Promise<{ ok: boolean; status: number; body: unknown }>;
  /** The webhook URL of an app (default: the only one); throws on an unknown or ambiguous app. */
  webhookOf(appId?: string): string | undefined;
  update(settings: EmulatorSettings): void;
}

/** `/_emulator/*`: trigger, stats, drop, challenge, settings. */
export async function handleControl(target: ControlTarget, path: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  checkControlRequest(req);
  if (path === '/_emulator/stats' && req.method === 'GET') {
    return sendJson(res, 200, { ...target.stats(), connection_list: target.connections() });
  }
  if (req.method !== 'POST') throw new HttpError(405, 'use POST');
  const body = await readJson(req);
  if (body.app_id !== undefined && (typeof body.app_id !== 'string' || body.app_id === '')) throw new HttpError(400, '"app_id" must be a non-empty string');
  const appId = body.app_id as string | undefined;
  switch (path) {
    case '/_emulator/trigger': {
      const via = body.via ?? 'ws';
      if (via !== 'ws' && via !== 'webhook') throw new HttpError(400, '"via" must be "ws" or "webhook"');
      const retries = body.retries === undefined ? undefined : Number(body.retries);
      if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) throw new HttpError(400, '"retries" must be a non-negative integer');
      let input: string | Record<string, unknown>;
      if (typeof body.event_type === 'string') input = body.event_type;
      else if (typeof body.payload === 'object' && body.payload !== null && !Array.isArray(body.payload)) input = body.payload as Record<string, unknown>;
      else throw new HttpError(400, 'give "event_type" (string) or "payload" (object)');
      const token = body.token ?? 'keep';
      if (token !== 'keep' && token !== 'emulator') throw new HttpError(400, '"token" must be "emulator" (replace the payload\'s token with the emulator\'s) or "keep"');
      if (body.set !== undefined && !(typeof body.set === 'object' && body.set !== null && !Array.isArray(body.set))) throw new HttpError(400, '"set" must be an object of dotted path → value');
      const wait = body.wait ?? 'final';
      if (wait !== 'first' && wait !== 'final') throw new HttpError(400, '"wait" must be "first" or "final"');
      // wait=first answers after the first attempt; redeliveries go on in the background.
      let first: ((answer: TriggerAnswer) => void) | undefined;
      const firstAnswer = new Promise<TriggerAnswer>((resolve) => (first = resolve));
      const final = target.trigger(input, {
        appId,
        via,
        ...(retries !== undefined ? { retries } : {}),
        fresh: body.fresh === true,
        emulatorToken: token === 'emulator',
        ...(body.set !== undefined ? { set: body.set as Record<string, unknown> } : {}),
        onAttempt: (a) => first?.(a),
      });
      let answer: TriggerAnswer;
      try {
        answer = wait === 'first' ? await Promise.race([firstAnswer, final]) : await final;
      } catch (err) {
        throw new HttpError(400, err instanceof Error ? err.message : String(err));
      }
      final.catch(() => undefined);
      return sendJson(res, 200, answer);
    }
    case '/_emulator/drop':
      return sendJson(res, 200, { dropped: target.dropConnections() });
    case '/_emulator/challenge': {
      let url: string | undefined;
      try {
        url = target.webhookOf(appId);
      } catch (err) {
        throw new HttpError(400, err instanceof Error ? err.message : String(err));
      }
      if (!url) throw new HttpError(400, 'no webhook URL configured');
      return sendJson(res, 200, await target.challenge(appId));
    }
    case '/_emulator/settings':
      if ('webhook' in body && !(typeof body.webhook === 'string' && isLoopbackUrl(body.webhook))) {
        throw new HttpError(400, '"webhook" must be an http(s) URL on loopback (127.0.0.1, localhost or [::1])');
      }
      try {
        target.update(body as EmulatorSettings);
      } catch (err) {
        throw new HttpError(400, err instanceof Error ? err.message : String(err));
      }
      return sendJson(res, 200, { ...target.settings });
    default:
      throw new HttpError(404, `no such control endpoint: ${path}`);
  }
}
