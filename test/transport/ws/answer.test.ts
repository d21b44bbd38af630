import { describe, expect, it } from 'vitest';
import { encodeWSAnswer, wsAnswer } from '../../../src/transport/ws/answer.js';

const decode = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as { code: number; data?: string };

describe('the long connection answer table', () => {
  it('answers 200 for outcomes the platform must not redeliver and 500 for the rest (long-connection.md)', () => {
    for (const status of ['handled', 'ignored', 'duplicate', 'challenge'] as const) expect(wsAnswer({ status }), status).toEqual({ code: 200 });
    for (const status of ['pending', 'invalid', 'malformed', 'failed'] as const) expect(wsAnswer({ status }), status).toEqual({ code: 500 });
  });

  it("sends a handled callback's response base64-encoded in data; a challenge echo is not sent", () => {
    const response = { toast: { type: 'info', content: '好' } };
    const payload = decode(encodeWSAnswer(wsAnswer({ status: 'handled', kind: 'callback', response })));
    expect(payload.code).toBe(200);
    expect(JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8'))).toEqual(response);
    expect(decode(encodeWSAnswer(wsAnswer({ status: 'challenge', response: { challenge: 'c' } })))).toEqual({ code: 200 });
    expect(decode(encodeWSAnswer(wsAnswer({ status: 'failed', response })))).toEqual({ code: 500 });
  });
});
