import { describe, expect, it } from 'vitest';
import { OldestFirst } from '../../src/util/oldest-first.js';

describe('OldestFirst', () => {
  it('evicts in insertion order; a key set again (delete + set) becomes the newest', () => {
    const map = new Map<string, number>([['a', 1], ['b', 2], ['c', 3]]);
    const order = new OldestFirst(map);
    map.delete('a');
    map.set('a', 4);
    expect(order.evict()).toBe('b');
    expect(order.evict()).toBe('c');
    expect(order.evict()).toBe('a');
    expect(map.size).toBe(0);
    expect(order.evict()).toBeUndefined();
  });

  it('keeps evicting correctly across many rehashes of the map, and after it ran empty', () => {
    const map = new Map<number, true>();
    const order = new OldestFirst(map);
    const evicted: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      map.set(i, true);
      if (map.size > 1000) evicted.push(order.evict()!);
    }
    expect(evicted).toEqual(Array.from({ length: 49_000 }, (_, i) => i));
    expect([...map.keys()]).toEqual(Array.from({ length: 1000 }, (_, i) => 49_000 + i));
    while (order.evict() !== undefined);
    map.set(-1, true);
    map.set(-2, true);
    expect(order.evict()).toBe(-1);
    expect([...map.keys()]).toEqual([-2]);
  });

  it('skips keys deleted by someone else', () => {
    const map = new Map([['a', 1], ['b', 2], ['c', 3]]);
    const order = new OldestFirst(map);
    map.delete('a');
    map.delete('b');
    expect(order.evict()).toBe('c');
  });
});
