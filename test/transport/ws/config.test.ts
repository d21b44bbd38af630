import { describe, expect, it } from 'vitest';
import {
  applyPongPayload,
  applyServerConfig,
  backoffDelay,
  decodeFrame,
  DEFAULT_CLIENT_CONFIG,
  encodeFrame,
  FragmentAssembler,
  FrameMethod,
  headerValue,
  isRetryableCode,
  ReconnectBackoff,
  redactUrl,
  resolveDomain,
} from '../../../src/transport/ws/index.js';
import type { ClientConfig, Frame } from '../../../src/transport/ws/index.js';

const enc = new TextEncoder();

describe('client config', () => {
  it('applies valid server values, in milliseconds', () => {
    const { config, rejected } = applyServerConfig(DEFAULT_CLIENT_CONFIG, { PingInterval: 90, ReconnectCount: 3, ReconnectInterval: 60, ReconnectNonce: 15 });
    expect(config).toEqual({ pingIntervalMs: 90_000, reconnectCount: 3, reconnectIntervalMs: 60_000, reconnectNonceMs: 15_000 });
    expect(rejected).toEqual([]);
  });

  it('keeps current values for missing, NaN, negative or non-numeric fields', () => {
    const current: ClientConfig = { pingIntervalMs: 5_000, reconnectCount: -1, reconnectIntervalMs: 7_000, reconnectNonceMs: 1_000 };
    const { config, rejected } = applyServerConfig(current, { PingInterval: 'soon', ReconnectCount: 1.5, ReconnectInterval: -3, ReconnectNonce: null });
    expect(config).toEqual(current);
    expect(rejected).toEqual(['PingInterval', 'ReconnectCount', 'ReconnectInterval', 'ReconnectNonce']);
    expect(applyServerConfig(current, { PingInterval: 0 }).config.pingIntervalMs).toBe(5_000);
    expect(applyServerConfig(current, {}).config).toEqual(current);
    expect(applyServerConfig(current, { PingInterval: 2 }).config).toEqual({ ...current, pingIntervalMs: 2_000 });
    expect(applyServerConfig(current, [1, 2]).config).toEqual(current);
  });

  it('parses pong payloads; invalid JSON or no payload changes nothing', () => {
    expect(applyPongPayload(DEFAULT_CLIENT_CONFIG, enc.encode('{"PingInterval":3}')).config.pingIntervalMs).toBe(3_000);
    expect(applyPongPayload(DEFAULT_CLIENT_CONFIG, enc.encode('{not json')).config).toEqual(DEFAULT_CLIENT_CONFIG);
    expect(applyPongPayload(DEFAULT_CLIENT_CONFIG, undefined)).toEqual({ config: DEFAULT_CLIENT_CONFIG, rejected: [] });
  });
});
