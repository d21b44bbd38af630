import type { EmulatorOptions, EmulatorSettings, Settings } from './types.js';
import { PLATFORM_REDELIVERY_SCHEDULE_MS } from './types.js';

export function initialSettings(options: EmulatorOptions): Settings {
  return {
    answerPings: options.answerPings ?? true,
    pongConfig: options.pongConfig,
    dropRate: options.dropRate ?? 0,
    dropDelayMs: options.dropDelayMs ?? 5,
    fragmentSize: options.fragmentSize ?? 0,
    answerTimeoutMs: options.answerTimeoutMs ?? 3_000,
    redeliveryScheduleMs: options.redeliveryScheduleMs ?? PLATFORM_REDELIVERY_SCHEDULE_MS,
    webhook: options.webhook,
    pingIntervalS: options.pingIntervalS ?? 120,
    reconnectCount: options.reconnectCount ?? -1,
    reconnectIntervalS: options.reconnectIntervalS ?? 120,
    reconnectNonceS: options.reconnectNonceS ?? 30,
  };
}

/** The ClientConfig handed out by the endpoint and in pongs (seconds). */
export function clientConfig(settings: Settings): { PingInterval: number; ReconnectCount: number; ReconnectInterval: number; ReconnectNonce: number } {
  return {
    PingInterval: settings.pingIntervalS,
    ReconnectCount: settings.reconnectCount,
    ReconnectInterval: settings.reconnectIntervalS,
    ReconnectNonce: settings.reconnectNonceS,
  };
}

const NUMERIC = ['dropRate', 'dropDelayMs', 'fragmentSize', 'answerTimeoutMs', 'pingIntervalS', 'reconnectCount', 'reconnectIntervalS', 'reconnectNonceS'];

/** Checks every given setting, then applies them all (or none). */
export function updateSettings(settings: Settings, next: EmulatorSettings): void {
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (NUMERIC.includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`${key} must be a finite number`);
    } else if (key === 'answerPings') {
      if (typeof value !== 'boolean') throw new TypeError('answerPings must be a boolean');
    } else if (key === 'redeliveryScheduleMs') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new TypeError('redeliveryScheduleMs must be an array of non-negative numbers');
    } else if (key === 'webhook') {
      if (value !== undefined && typeof value !== 'string') throw new TypeError('webhook must be a URL string');
    } else if (key !== 'pongConfig') {
      throw new TypeError(`unknown setting ${JSON.stringify(key)}`);
    }
    checked[key] = value;
  }
  Object.assign(settings, checked);
}
