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
import { reencodeWith } from '../../../src/transport/ws/frame.js';

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

const bytesOf = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const plain = (f: Frame) => ({ ...f, payload: f.payload === undefined ? undefined : Buffer.from(f.payload).toString('hex') });

describe('reencodeWith: an answer frame from the received bytes', () => {
  const base: Frame = {
    SeqID: 18446744073709551615n,
    LogID: 42n,
    service: 33554678,
    method: 1,
    headers: [{ key: 'type', value: 'event' }, { key: 'message_id', value: 'm-1' }, { key: 'trace', value: '追踪-ü' }],
    payload_encoding: 'json',
    payload_type: 'event',
    LogIDNew: 'x-1',
  };
  const header = { key: 'biz_rt', value: '12' };

  // Payload lengths on both sides of the 1-, 2- and 3-byte varint boundaries.
  for (const [inLen, outLen] of [[1, 0], [127, 128], [128, 127], [16_383, 16_384], [16_384, 20], [70_000, 3]] as const) {
    it(`decodes to the frame encodeFrame would write (payload ${inLen} → ${outLen} bytes)`, () => {
      const raw = encodeFrame({ ...base, payload: bytesOf(inLen, 7) });
      const frame = decodeFrame(raw);
      const answer = bytesOf(outLen, 3);
      const out = reencodeWith(raw, frame, header, answer);
      expect(out).toBeInstanceOf(Uint8Array);
      const expected = decodeFrame(encodeFrame({ ...frame, headers: [...frame.headers, header], payload: answer }));
      expect(plain(decodeFrame(out!))).toEqual(plain(expected));
    });
  }

  it('works without the optional fields and on a plain Uint8Array copy', () => {
    const raw = Uint8Array.from(encodeFrame({ SeqID: 1n, LogID: 2n, service: 3, method: 1, headers: [], payload: enc.encode('{"a":1}') }));
    const frame = decodeFrame(raw);
    const out = reencodeWith(raw, frame, header, enc.encode('{"code":200}'));
    expect(decodeFrame(out!)).toMatchObject({ SeqID: 1n, LogID: 2n, service: 3, method: 1, headers: [header] });
    expect(Buffer.from(decodeFrame(out!).payload!).toString()).toBe('{"code":200}');
  });

  it('gives up (undefined) when the frame has no payload, or its payload is not a view into the bytes', () => {
    const noPayload = encodeFrame({ ...base });
    expect(reencodeWith(noPayload, decodeFrame(noPayload), header, enc.encode('{}'))).toBeUndefined();
    const raw = encodeFrame({ ...base, payload: enc.encode('{"a":1}') });
    const frame = decodeFrame(raw);
    expect(reencodeWith(raw, { ...frame, payload: Uint8Array.from(frame.payload!) }, header, enc.encode('{}'))).toBeUndefined();
  });
});
