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

describe('reconnect backoff', () => {
  const config: ClientConfig = { pingIntervalMs: 1_000, reconnectCount: 4, reconnectIntervalMs: 10_000, reconnectNonceMs: 3_000 };

  it('waits 0..ReconnectNonce first, then capped exponential steps with jitter', () => {
    expect(backoffDelay(1, config, 1_000, () => 0)).toBe(0);
    expect(backoffDelay(1, config, 1_000, () => 1)).toBe(3_000);
    const low = [2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, config, 1_000, () => 0));
    const high = [2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, config, 1_000, () => 1));
    expect(low).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(backoffDelay(80, config, 1_000, () => 1)).toBe(10_000);
  });

  it('stops after ReconnectCount attempts; -1 is forever', () => {
    const b = new ReconnectBackoff({ random: () => 0 });
    let n = 0;
    while (b.canRetry(config)) {
      b.next(config);
      n++;
    }
    expect(n).toBe(4);
    const forever = new ReconnectBackoff();
    for (let i = 0; i < 1_000; i++) forever.next({ ...config, reconnectCount: -1 });
    expect(forever.canRetry({ ...config, reconnectCount: -1 })).toBe(true);
  });
});
