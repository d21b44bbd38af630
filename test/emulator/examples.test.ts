import { describe, expect, it } from 'vitest';
import { describePayload, freshExample, freshen, loadExample } from '../../src/emulator/examples.js';

describe('freshExample', () => {
  const options = { appId: 'cli_a1b2c3d4e5f60718', verificationToken: 'token-1', now: 1_700_000_000_123 };

  it.each(['im.message.receive_v1', 'leave_approvalV2', 'card.action.trigger'])('gives the text and routing facts of freshen(loadExample(%s)), with a new id each time', (eventType) => {
    const { text, meta } = freshExample(eventType, options);
    const expected = freshen(loadExample(eventType), options);
    const expectedMeta = describePayload(expected);
    // The fresh id is random: the texts agree once it is put in place.
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(meta.id).toMatch(/^[0-9a-f]{32}$/);
    const id = meta.id!;
    if (expected.header && typeof expected.header === 'object') (expected.header as Record<string, unknown>).event_id = id;
    else expected.uuid = id;
    expect(text).toBe(JSON.stringify(expected));
    expect(parsed).toEqual(expected);
    expect(meta).toEqual({ ...expectedMeta, id });
    expect(freshExample(eventType, options).meta.id).not.toBe(id);
  });

  it('fails like loadExample for an event type without an example', () => {
    expect(() => freshExample('no.such.event_v1')).toThrow(/no schema example/);
  });
});
