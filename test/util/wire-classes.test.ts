import { describe, expect, it } from 'vitest';
import { envelopePointers, jsonTypeOf, typeAdmits } from '../../src/util/wire-classes.js';

describe('wire classes', () => {
  it('names JSON types, integers apart from other numbers', () => {
    expect([null, true, 1, 1.5, 's', [], {}, undefined].map(jsonTypeOf)).toEqual(['null', 'boolean', 'integer', 'number', 'string', 'array', 'object', 'missing']);
    expect(typeAdmits('number', 'integer')).toBe(true);
    expect(typeAdmits('integer', 'number')).toBe(false);
  });

  it('knows the envelope of schema 2.0 and v1 deliveries, and that a response has none', () => {
    expect(envelopePointers({ schema: '2.0', header: {}, event: {} })?.has('/header/event_type')).toBe(true);
    expect(envelopePointers({ uuid: 'u', event: { type: 'message' } })?.has('/event/type')).toBe(true);
    expect(envelopePointers({ uuid: 'u', event: {} })?.has('/header')).toBe(false);
    expect(envelopePointers({ toast: { type: 'info' } })).toBeUndefined();
  });
});
