import { describe, expect, it } from 'vitest';
import type { Shape } from '../../src/runtime/catalog-types.js';
import { classify, shapeAt } from '../../src/runtime/classify.js';

describe('classify', () => {
  const shape: Shape = { p: { event: { p: { noted: { n: 1 }, plain: {}, list: { i: { p: { x: { n: 1 } } } } } } } };
  const payload = { schema: '2.0', header: {}, event: {} };

  it('finds the shape node of a pointer through properties and array items', () => {
    expect(shapeAt(shape, '/event/list/3/x')).toEqual({ n: 1 });
    expect(shapeAt(shape, '/event/missing/x')).toBeUndefined();
  });

  it('a type the schema does not allow is drift only where the sources disagreed (n), or when it is null', () => {
    expect(classify('type', '/event/noted', 'boolean', payload, shape)).toEqual({ class: 'drift', drift: 'type' });
    expect(classify('type', '/event/list/0/x', 'string', payload, shape)).toEqual({ class: 'drift', drift: 'type' });
    expect(classify('type', '/event/plain', 'boolean', payload, shape)).toEqual({ class: 'contradiction' });
    expect(classify('type', '/event/plain', 'null', payload, shape)).toEqual({ class: 'drift', drift: 'null' });
  });

  it('rules and enums are drift, required fields and the envelope are contradictions', () => {
    expect(classify('maxLength', '/event/plain', 'string', payload, shape)).toEqual({ class: 'drift', drift: 'rule' });
    expect(classify('enum', '/event/plain', 'string', payload, shape)).toEqual({ class: 'drift', drift: 'enum' });
    expect(classify('enum', '/event/plain', 'null', payload, shape)).toEqual({ class: 'drift', drift: 'null' });
    expect(classify('required', '/event/plain', 'missing', payload, shape)).toEqual({ class: 'contradiction' });
    expect(classify('const', '/schema', 'string', payload, shape)).toEqual({ class: 'contradiction' });
    expect(classify('type', '/header/event_type', 'null', payload, shape)).toEqual({ class: 'contradiction' });
    expect(classify('const', '/type', 'string', { uuid: 'u', type: 'x', event: {} }, undefined)).toEqual({ class: 'contradiction' });
    expect(classify('unknownProperty', '/header/extra', 'string', payload, shape)).toEqual({ class: 'drift', drift: 'property' });
  });
});

