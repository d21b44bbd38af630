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

describe('frame codec', () => {
  it('round-trips every field, 64-bit ids exactly', () => {
    const frame: Frame = {
      SeqID: 18446744073709551615n,
      LogID: 1234567890123456789n,
      service: 33554678,
      method: 1,
      headers: [{ key: 'type', value: 'event' }, { key: 'sum', value: '1' }],
      payload_encoding: 'json',
      payload_type: 'event',
      payload: enc.encode('{"a":1}'),
      LogIDNew: 'x-1',
    };
    const back = decodeFrame(encodeFrame(frame));
    expect(back).toEqual({ ...frame, payload: back.payload });
    expect(Buffer.from(back.payload ?? []).toString()).toBe('{"a":1}');
    expect(headerValue(back, 'sum')).toBe('1');
  });

  it('leaves optional fields out when absent and rejects garbage', () => {
    const back = decodeFrame(encodeFrame({ SeqID: 0n, LogID: 0n, service: 5, method: 0, headers: [{ key: 'type', value: 'ping' }] }));
    expect(back).toEqual({ SeqID: 0n, LogID: 0n, service: 5, method: 0, headers: [{ key: 'type', value: 'ping' }] });
    expect(() => decodeFrame(new Uint8Array([0xff, 0xff, 0xff]))).toThrow();
  });
});
