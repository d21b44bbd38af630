import WebSocket from 'ws';
import type { Logger } from '../../runtime/logger.js';
import type { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint.js';
import { hostOf, networkError, WSConnectError } from './errors.js';
import type { HttpAgentLike } from './proxy.js';

export interface HandshakeOptions {
  readonly perMessageDeflate: boolean;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Carries the upgrade request (a proxy agent); a direct connection when unset. */
  readonly agent?: HttpAgentLike | undefined;
}

/**
 * Whether a refused upgrade is final (long-connection.md, handshake headers): `handshake-status`
 * 403, or 514 (auth failed) with autherrcode 1000040350 (too many connections). Others are retried.
 */
export function isFatalHandshake(status: string, authCode: string): boolean {
  return status === '403' || (status === '514' && authCode === '1000040350');
}

const sockets = new WeakMap<WebSocket, Duplex>();

/** The socket under a WebSocket that `openSocket` opened (from its upgrade response), for corking writes. */
export function socketOf(ws: WebSocket): Duplex | undefined {
  return sockets.get(ws);
}

/** Opens the WebSocket; rejects with a WSConnectError whose `fatal` says whether to retry. */
export function openSocket(endpoint: Endpoint, options: HandshakeOptions): Promise<WebSocket> {
  const host = hostOf(endpoint.url);
  return new Promise<WebSocket>((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(endpoint.url, {
        perMessageDeflate: options.perMessageDeflate,
        handshakeTimeout: options.timeoutMs,
        ...(options.agent ? { agent: options.agent as Agent } : {}),
      });
    } catch (err) {
      // `ws` names the whole URL, ticket included, when it rejects one: say only the host.
      reject(new WSConnectError(`connection to ${host ?? 'the endpoint URL'} failed: the URL was refused (${err instanceof Error ? err.name : 'error'})`, false, undefined, { host }));
      return;
    }
    let settled = false;
    const settle = (err?: WSConnectError) => {
      if (settled) return;
      settled = true;
      if (err) {
        reject(err);
        if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      } else {
        resolve(ws);
      }
    };
    // A socket must always have an error listener: `ws` emits errors after aborts too.
    ws.on('error', (err) => {
      if (!settled) settle(networkError('connection', endpoint.url, err));
      else options.logger.debug(`ws: socket error: ${err.message}`);
    });
    ws.once('unexpected-response', (req, res) => {
      const status = String(res.headers['handshake-status'] ?? '');
      const authCode = String(res.headers['handshake-autherrcode'] ?? '');
      const msg = String(res.headers['handshake-msg'] ?? '');
      res.resume();
      req.destroy();
      const detail = status ? `handshake-status ${status}${authCode ? `, autherrcode ${authCode}` : ''}${msg ? ` (${msg})` : ''}` : `HTTP ${res.statusCode}`;
      settle(new WSConnectError(`handshake with ${host ?? 'the server'} refused: ${detail}`, isFatalHandshake(status, authCode), authCode ? Number(authCode) : undefined, { host }));
    });
    ws.once('upgrade', (res) => sockets.set(ws, res.socket));
    ws.once('open', () => settle());
    ws.once('close', () => settle(new WSConnectError(`connection to ${host ?? 'the server'} closed during the handshake`, false, undefined, { host })));
    options.signal.addEventListener('abort', () => settle(new WSConnectError('client closed during the handshake', false)), { once: true });
  });
}
