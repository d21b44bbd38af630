import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { silentLogger } from '../runtime/logger.js';
import type { Frame } from '../transport/ws/frame.js';
import { resolveApps, selectApp } from './apps.js';
import { handleControl } from './control.js';
import { Deliveries } from './deliveries.js';
import { EndpointService } from './endpoint.js';
import { HttpError, sendJson } from './http.js';
import { initialSettings, updateSettings } from './settings.js';
import type { Core, Emulator, EmulatorEvents, EmulatorOptions, EmulatorSettings, EmulatorStats } from './types.js';
import { WebhookPush } from './webhook-push.js';
import { WsConnections } from './ws-connections.js';

export { PLATFORM_REDELIVERY_SCHEDULE_MS, WS_PATH } from './types.js';
export type {
  AnswerInfo,
  ConnectionInfo,
  Emulator,
  EmulatorApp,
  EmulatorEvents,
  EmulatorOptions,
  EmulatorSettings,
  EmulatorStats,
  PingInfo,
  TriggerAnswer,
  TriggerOptions,
  Via,
} from './types.js';

/**
 * Starts a fake Open Platform on loopback: endpoint discovery and the handshake (endpoint.ts), the
 * long connection (ws-connections.ts), webhook pushes (webhook-push.ts), triggered deliveries with
 * redelivery (deliveries.ts) and the control API (control.ts).
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const apps = resolveApps(options);
  const stats: EmulatorStats = {
    connections: 0, endpointRequests: 0, handshakes: 0, refusedHandshakes: 0, pings: 0, framesSent: 0, answers: 0,
    attempts: 0, redeliveries: 0, drops: 0, triggers: 0, succeeded: 0, failed: 0, inFlight: 0,
  };
  const emitter = new EventEmitter<EmulatorEvents>();
  const core: Core = {
    options,
    apps,
    app: (appId) => selectApp(apps, appId),
    settings: initialSettings(options),
    stats,
    emitter,
    logger: options.logger ?? silentLogger,
    serviceId: randomInt(1_000_000, 99_999_999),
    closed: false,
  };
  const host = options.host ?? '127.0.0.1';
  let port = 0;

  const connections = new WsConnections(core);
  const endpoint = new EndpointService(core, (appId) => connections.count(appId), () => `ws://${host}:${port}`);
  const webhook = new WebhookPush(core);
  const deliveries = new Deliveries(core, { ws: (body, app) => connections.sendOnce(body, app.appId), webhook: (text, callback, app) => webhook.sendOnce(text, callback, app) });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: options.compress ? { threshold: 128 } : false, maxPayload: 64 * 1024 * 1024 });

  const snapshot = (): EmulatorStats => ({ ...stats, connections: connections.size });
  const update = (next: EmulatorSettings): void => updateSettings(core.settings, next);
  const trigger: Emulator['trigger'] = (input, opts) => deliveries.trigger(input, opts);
  const challenge = (appId?: string) => webhook.challenge(core.app(appId));
  const dropConnections = () => connections.dropAll();
  const listConnections = (appId?: string) => connections.list(appId === undefined ? undefined : core.app(appId).appId);
  const control = { settings: core.settings, stats: snapshot, connections: listConnections, trigger, dropConnections, challenge, webhookOf: (appId?: string) => webhook.url(core.app(appId)), update };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const work = async () => {
      if (path === '/callback/ws/endpoint') {
        if (req.method !== 'POST') throw new HttpError(405, 'use POST');
        return endpoint.handleEndpoint(req, res);
      }
      if (path.startsWith('/_emulator/')) return handleControl(control, path, req, res);
      throw new HttpError(404, 'not found');
    };
    work().catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) sendJson(res, status, { code: status, error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    endpoint.handleUpgrade(req, socket, head, wss, (ws, deviceId, appId) => connections.add(ws, deviceId, appId));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  async function close(): Promise<void> {
    if (core.closed) return;
    core.closed = true;
    deliveries.close();
    connections.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  const handle = Object.assign(emitter, {
    url: `http://${host}:${port}`,
    appIds: [...apps.keys()],
    port,
    serviceId: core.serviceId,
    trigger,
    connections: listConnections,
    stats: snapshot,
    update,
    dropConnections,
    failEndpoint: (code: number, times?: number) => endpoint.failEndpoint(code, times),
    failHandshake: (failure: { status: number; msg?: string; authErrCode?: number }, times?: number) => endpoint.failHandshake(failure, times),
    sendFrames: (frames: readonly Frame[], opts?: { deviceId?: string | undefined; appId?: string | undefined; timeoutMs?: number | undefined }) => connections.sendFrames(frames, opts),
    challenge,
    close,
  });
  return handle as Emulator;
}
