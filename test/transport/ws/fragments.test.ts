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

function dataFrame(messageId: string, sum: string | undefined, seq: string | undefined, payload: string): Frame {
  const headers = [{ key: 'type', value: 'event' }, { key: 'message_id', value: messageId }];
  if (sum !== undefined) headers.push({ key: 'sum', value: sum });
  if (seq !== undefined) headers.push({ key: 'seq', value: seq });
  return { SeqID: 7n, LogID: 9n, service: 1, method: FrameMethod.data, headers, payload: enc.encode(payload) };
}

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
