import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../src/util/typed-emitter.js';

type Events = { tick: [n: number]; done: [] };

describe('TypedEmitter', () => {
  it('calls listeners in order with the arguments; once listeners once; off removes one', () => {
    const e = new TypedEmitter<Events>(() => {});
    const seen: string[] = [];
    const a = (n: number) => seen.push(`a${n}`);
    e.on('tick', a);
    e.on('tick', (n) => seen.push(`once${n}`), true);
    e.emit('tick', 1);
    e.emit('tick', 2);
    e.off('tick', a);
    e.emit('tick', 3);
    e.emit('done');
    expect(seen).toEqual(['a1', 'once1', 'a2']);
    expect(e.count('tick')).toBe(0);
  });

  it('reports a listener that throws with its event, and still calls the others', () => {
    const reports: Array<[string, unknown]> = [];
    const e = new TypedEmitter<Events>((event, err) => reports.push([String(event), err]));
    const boom = new Error('boom');
    let after = 0;
    e.on('done', () => {
      throw boom;
    });
    e.on('done', () => void after++);
    expect(() => e.emit('done')).not.toThrow();
    expect(reports).toEqual([['done', boom]]);
    expect(after).toBe(1);
    expect(e.count('done')).toBe(2);
  });
});
