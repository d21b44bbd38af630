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
} from '../../src/transport/ws/index.js';
import type { ClientConfig, Frame } from '../../src/transport/ws/index.js';

const enc = new TextEncoder();

function dataFrame(messageId: string, sum: string | undefined, seq: string | undefined, payload: string): Frame {
  const headers = [{ key: 'type', value: 'event' }, { key: 'message_id', value: messageId }];
  if (sum !== undefined) headers.push({ key: 'sum', value: sum });
  if (seq !== undefined) headers.push({ key: 'seq', value: seq });
  return { SeqID: 7n, LogID: 9n, service: 1, method: FrameMethod.data, headers, payload: enc.encode(payload) };
}

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

describe('fragment reassembly', () => {
  it('concatenates in seq order whatever the arrival order, answering with the last frame', () => {
    const a = new FragmentAssembler();
    expect(a.add(dataFrame('m', '3', '2', 'c"}'), 'm', '3', '2').status).toBe('partial');
    expect(a.add(dataFrame('m', '3', '0', '{"a'), 'm', '3', '0').status).toBe('partial');
    const last = dataFrame('m', '3', '1', '":"b');
    const done = a.add(last, 'm', '3', '1');
    expect(done.status).toBe('complete');
    if (done.status !== 'complete') return;
    expect(Buffer.from(done.payload).toString()).toBe('{"a":"bc"}');
    expect(done.frame).toBe(last);
    expect(a.size).toBe(0);
    expect(a.bufferedBytes).toBe(0);
  });

  it('passes unsplit messages through', () => {
    const a = new FragmentAssembler();
    expect(a.add(dataFrame('m', undefined, undefined, 'x'), 'm', undefined, undefined).status).toBe('complete');
    expect(a.add(dataFrame('m', '1', '0', 'x'), 'm', '1', '0').status).toBe('complete');
  });

  it.each([
    ['0', '0'],
    ['2', '2'],
    ['2', '-1'],
    ['2.5', '0'],
    ['two', '0'],
    ['2', '1.0'],
    ['', '0'],
    ['99999999999', '0'],
  ])('drops sum %j seq %j', (sum, seq) => {
    const a = new FragmentAssembler();
    expect(a.add(dataFrame('m', sum, seq, 'x'), 'm', sum, seq).status).toBe('invalid');
    expect(a.size).toBe(0);
  });

  it('drops a message whose fragments disagree about sum', () => {
    const a = new FragmentAssembler();
    expect(a.add(dataFrame('m', '2', '0', 'x'), 'm', '2', '0').status).toBe('partial');
    expect(a.add(dataFrame('m', '3', '1', 'y'), 'm', '3', '1').status).toBe('invalid');
    expect(a.size).toBe(0);
  });

  it('expires incomplete messages after the TTL', () => {
    let now = 0;
    const a = new FragmentAssembler({ ttlMs: 1_000, now: () => now });
    a.add(dataFrame('old', '2', '0', 'x'), 'old', '2', '0');
    now = 1_500;
    expect(a.sweep()).toBe(1);
    expect(a.expired).toBe(1);
    // The late second half starts a new, incomplete message instead of completing the expired one.
    expect(a.add(dataFrame('old', '2', '1', 'y'), 'old', '2', '1').status).toBe('partial');
  });

  it('bounds memory by message count and bytes', () => {
    const a = new FragmentAssembler({ maxMessages: 2, maxBytes: 10 });
    a.add(dataFrame('a', '2', '0', 'x'), 'a', '2', '0');
    a.add(dataFrame('b', '2', '0', 'x'), 'b', '2', '0');
    a.add(dataFrame('c', '2', '0', 'x'), 'c', '2', '0');
    expect(a.size).toBe(2);
    expect(a.add(dataFrame('a', '2', '1', 'y'), 'a', '2', '1').status).toBe('partial');
    expect(a.add(dataFrame('big', '2', '0', 'x'.repeat(11)), 'big', '2', '0').status).toBe('invalid');
    expect(a.bufferedBytes).toBeLessThanOrEqual(10);
  });
});

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

describe('endpoint helpers', () => {
  it('classifies codes: 1 and 1000040343 retry, everything else fatal', () => {
    expect(isRetryableCode(1)).toBe(true);
    expect(isRetryableCode(1000040343)).toBe(true);
    expect(isRetryableCode(1000040350)).toBe(false);
    expect(isRetryableCode(10003)).toBe(false);
  });

  it('redacts everything but device_id from the URL', () => {
    const url = 'wss://msg-frontier.feishu.cn/ws/v2?fpid=493&aid=552564&device_id=7455&access_key=SECRETKEY&service_id=33554678&ticket=TICKET123';
    const red = redactUrl(url);
    expect(red).toBe('wss://msg-frontier.feishu.cn/ws/v2?device_id=7455');
    expect(red).not.toMatch(/SECRETKEY|TICKET123|access_key|ticket/);
    expect(redactUrl('not a url ?ticket=x')).toBe('<unparseable url>');
  });

  it('resolves domain names', () => {
    expect(resolveDomain(undefined)).toBe('https://open.feishu.cn');
    expect(resolveDomain('lark')).toBe('https://open.larksuite.com');
    expect(resolveDomain('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
  });
});
