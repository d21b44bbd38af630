/** The connection settings the server hands out (endpoint `ClientConfig`, pong payloads), in milliseconds. */
export interface ClientConfig {
  readonly pingIntervalMs: number;
  /** -1: retry forever. */
  readonly reconnectCount: number;
  readonly reconnectIntervalMs: number;
  readonly reconnectNonceMs: number;
}

/** What the official clients use before any config arrives (long-connection.md §1). */
export const DEFAULT_CLIENT_CONFIG: ClientConfig = {
  pingIntervalMs: 120_000,
  reconnectCount: -1,
  reconnectIntervalMs: 120_000,
  reconnectNonceMs: 30_000,
};

/** Seconds as sent by the server: a finite number (numeric strings are tolerated). */
function seconds(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export interface ConfigUpdate {
  readonly config: ClientConfig;
  /** Fields present in the input but ignored because they were not valid. */
  readonly rejected: readonly string[];
}

/**
 * Applies a server-sent config (`{PingInterval, ReconnectCount, ReconnectInterval, ReconnectNonce}`,
 * seconds) on top of the current one. Missing, non-numeric, NaN or out-of-range fields keep the
 * current value, so a broken pong can never turn the ping loop into a busy loop.
 */
export function applyServerConfig(current: ClientConfig, raw: unknown): ConfigUpdate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { config: current, rejected: raw === undefined ? [] : ['<not an object>'] };
  const input = raw as Record<string, unknown>;
  const rejected: string[] = [];
  const next = { ...current };

  const ping = seconds(input.PingInterval);
  if (ping !== undefined && ping > 0 && ping <= 86_400) next.pingIntervalMs = Math.round(ping * 1000);
  else if ('PingInterval' in input) rejected.push('PingInterval');

  const count = seconds(input.ReconnectCount);
  if (count !== undefined && Number.isInteger(count) && count >= -1) next.reconnectCount = count;
  else if ('ReconnectCount' in input) rejected.push('ReconnectCount');

  const interval = seconds(input.ReconnectInterval);
  if (interval !== undefined && interval >= 0 && interval <= 86_400) next.reconnectIntervalMs = Math.round(interval * 1000);
  else if ('ReconnectInterval' in input) rejected.push('ReconnectInterval');

  const nonce = seconds(input.ReconnectNonce);
  if (nonce !== undefined && nonce >= 0 && nonce <= 86_400) next.reconnectNonceMs = Math.round(nonce * 1000);
  else if ('ReconnectNonce' in input) rejected.push('ReconnectNonce');

  return { config: next, rejected };
}

/** Parses a pong payload (UTF-8 JSON) and applies it; undecodable payloads change nothing. */
export function applyPongPayload(current: ClientConfig, payload: Uint8Array | undefined): ConfigUpdate {
  if (!payload || payload.length === 0) return { config: current, rejected: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { config: current, rejected: ['<invalid JSON>'] };
  }
  return applyServerConfig(current, raw);
}
