import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../src/emulator/index.js';
import { candidateDeliveryKey, deliveryKey } from '../../../src/transport/ws/delivery-key.js';

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

describe('delivery keys', () => {
  it('are the dispatcher\'s idempotency keys: p2:<header.event_id>, p1:<uuid>', () => {
    const p2 = loadExample('im.message.receive_v1') as { header: { event_id: string } };
    const p1 = { uuid: 'u-1', token: 't', ts: '1', type: 'event_callback', event: { type: 'message' } };
    for (const [body, key] of [[p2, `p2:${p2.header.event_id}`], [p1, 'p1:u-1']] as const) {
      expect(candidateDeliveryKey(bytes(body))).toBe(key);
      expect(deliveryKey(bytes(body))).toBe(key);
    }
  });

  it('the guess may be wrong (a nested field), the parsed key is not', () => {
    const body = bytes('{"schema":"2.0","event":{"event_id":"nested"},"header":{"event_id":"real","event_type":"x"}}');
    expect(candidateDeliveryKey(body)).toBe('p2:nested');
    expect(deliveryKey(body)).toBe('p2:real');
  });

  it('no key for bodies without an id, invalid UTF-8 or JSON, or escaped ids (guess only)', () => {
    expect(deliveryKey(bytes({ schema: '2.0', header: { event_type: 'x' }, event: {} }))).toBeUndefined();
    expect(deliveryKey(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeUndefined();
    expect(deliveryKey(bytes('{"schema":"2.0",'))).toBeUndefined();
    expect(deliveryKey(bytes({ uuid: 'u', event: 'not an object' }))).toBeUndefined();
    expect(candidateDeliveryKey(bytes('{"header":{"event_id":"a\\"b"}}'))).toBeUndefined();
    expect(candidateDeliveryKey(bytes('{"header":{"event_id":""}}'))).toBeUndefined();
    expect(candidateDeliveryKey(bytes('{}'))).toBeUndefined();
  });
});
