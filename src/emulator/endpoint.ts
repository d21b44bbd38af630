import { randomBytes, randomInt } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { readJson, sendJson } from './http.js';
import { clientConfig } from './settings.js';
import type { Core } from './types.js';
import { WS_PATH } from './types.js';

export interface HandshakeFailure {
  status: number;
  msg?: string;
  authErrCode?: number;
}

/**
 * Endpoint discovery (`POST /callback/ws/endpoint`: credentials in, a one-time ticket URL and the
 * ClientConfig out) and the WebSocket handshake that redeems the ticket.
 */
export class EndpointService {
  private readonly tickets = new Map<string, { deviceId: string; appId: string; expires: number }>();
  private readonly endpointFailures: number[] = [];
  private readonly handshakeFailures: HandshakeFailure[] = [];
  private readonly maxConnections: number;
  private readonly ticketTtl: number;

  constructor(
    private readonly core: Core,
    /** An app's open connections, for the per-app connection limit. */
    private readonly openConnections: (appId: string) => number,
    /** Where clients connect: `ws://HOST:PORT`. */
    private readonly wsBase: () => string,
  ) {
    this.maxConnections = core.options.maxConnections ?? 50;
    this.ticketTtl = core.options.ticketTtlMs ?? 60_000;
  }

  /** The next `times` endpoint requests answer this code. */
  failEndpoint(code: number, times = 1): void {
    for (let i = 0; i < times; i++) this.endpointFailures.push(code);
  }

  /** The next `times` WebSocket upgrades fail with these handshake headers. */
  failHandshake(failure: HandshakeFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.handshakeFailures.push(failure);
  }

  async handleEndpoint(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { apps, stats, emitter, settings, serviceId } = this.core;
    stats.endpointRequests++;
    const body = await readJson(req);
    const reply = (code: number, msg: string, data?: unknown) => {
      emitter.emit('endpoint', { code });
      sendJson(res, 200, data === undefined ? { code, msg } : { code, msg, data });
    };
    const injected = this.endpointFailures.shift();
    if (injected !== undefined) return reply(injected, 'injected failure');
    const app = typeof body.AppID === 'string' ? apps.get(body.AppID) : undefined;
    if (!app || body.AppSecret !== app.appSecret) return reply(10003, 'invalid app_id or app_secret');
    if (this.openConnections(app.appId) >= this.maxConnections) return reply(1000040350, 'too many connections');
    const deviceId = `${randomInt(1e9, 1e10)}${randomInt(1e8, 1e9)}`;
    const ticket = randomBytes(16).toString('hex');
    this.tickets.set(ticket, { deviceId, appId: app.appId, expires: Date.now() + this.ticketTtl });
    for (const [t, v] of this.tickets) if (v.expires < Date.now()) this.tickets.delete(t);
    const address = `${this.wsBase()}${WS_PATH}?fpid=493&aid=552564&device_id=${deviceId}&access_key=${randomBytes(16).toString('hex')}&service_id=${serviceId}&ticket=${ticket}`;
    reply(0, 'ok', { URL: address, ClientConfig: clientConfig(settings) });
  }

  /** Redeems the ticket and hands the socket to `accept`, or refuses with the platform's handshake headers. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, wss: WebSocketServer, accept: (ws: WebSocket, deviceId: string, appId: string) => void): void {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname !== WS_PATH || this.core.closed) return this.refuse(socket, 404, 'not found');
    const injected = this.handshakeFailures.shift();
    if (injected) return this.refuse(socket, injected.status, injected.msg ?? 'injected failure', injected.authErrCode);
    const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
    if (!ticket || ticket.expires < Date.now() || ticket.deviceId !== url.searchParams.get('device_id')) return this.refuse(socket, 403, 'invalid ticket');
    this.tickets.delete(url.searchParams.get('ticket') ?? '');
    if (this.openConnections(ticket.appId) >= this.maxConnections) return this.refuse(socket, 514, 'too many connections', 1000040350);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, ticket.deviceId, ticket.appId));
  }

  private refuse(socket: Duplex, status: number, msg: string, authErrCode?: number): void {
    this.core.stats.refusedHandshakes++;
    const lines = [
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Handshake Failed'}`,
      `handshake-status: ${status}`,
      `handshake-msg: ${msg}`,
      ...(authErrCode !== undefined ? [`handshake-autherrcode: ${authErrCode}`] : []),
      'content-length: 0',
      'connection: close',
      '',
      '',
    ];
    socket.end(lines.join('\r\n'));
  }
}
