import WebSocket from 'ws';
import type { Logger } from '../../runtime/logger.js';
import type { Frame } from './frame.js';
import { encodeFrame, FrameMethod } from './frame.js';

export interface HeartbeatOptions {
  readonly ws: WebSocket;
  readonly serviceId: number;
  readonly deviceId: string | undefined;
  /** Reconnect when nothing arrives this long after a ping; 0 disables. */
  readonly pingTimeoutMs: number;
  /** The current ping interval (it changes with pong config updates). */
  readonly intervalMs: () => number;
  readonly logger: Logger;
}

/**
 * One connection's ping loop (long-connection.md: a ping every PingInterval) and liveness check:
 * when nothing (pong or data) arrives within `pingTimeoutMs` of a ping, the socket is terminated,
 * which makes the client reconnect.
 */
export class Heartbeat {
  private pingTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  /** Pings now and then every interval. */
  start(): void {
    this.ping();
    this.schedule();
  }

  /** Restarts the interval (after the interval changed). */
  schedule(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      this.ping();
      this.schedule();
    }, this.options.intervalMs());
  }

  /** Something arrived: the connection is alive. */
  alive(): void {
    if (this.livenessTimer) {
      clearTimeout(this.livenessTimer);
      this.livenessTimer = undefined;
    }
  }

  stop(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    if (this.livenessTimer) clearTimeout(this.livenessTimer);
    this.pingTimer = undefined;
    this.livenessTimer = undefined;
  }

  private ping(): void {
    const { ws, serviceId, pingTimeoutMs, logger, deviceId } = this.options;
    if (ws.readyState !== WebSocket.OPEN) return;
    const frame: Frame = { SeqID: 0n, LogID: 0n, service: serviceId, method: FrameMethod.control, headers: [{ key: 'type', value: 'ping' }] };
    ws.send(encodeFrame(frame));
    if (pingTimeoutMs > 0 && !this.livenessTimer) {
      this.livenessTimer = setTimeout(() => {
        this.livenessTimer = undefined;
        logger.warn(`ws: nothing received within ${pingTimeoutMs} ms of a ping; reconnecting`, { device_id: deviceId });
        ws.terminate();
      }, pingTimeoutMs);
    }
  }
}
