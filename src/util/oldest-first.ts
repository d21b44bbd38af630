/**
 * Evicts the oldest keys of a Map used as an insertion-ordered queue (re-setting a key deletes it
 * first, which makes it the newest), in amortised O(1). A fresh `map.keys().next()` per eviction
 * costs O(keys evicted so far): V8 starts it at the table's first slot and steps over every deleted
 * one until the table is next rehashed. This iterator only moves forward, and V8 carries a live
 * iterator over to the rehashed table, so it never steps over the same slot twice.
 */
export class OldestFirst<K> {
  private keys: Iterator<K>;

  constructor(private readonly map: Map<K, unknown>) {
    this.keys = map.keys();
  }

  /** Deletes the oldest key and returns it; undefined when the map is empty. */
  evict(): K | undefined {
    let next = this.keys.next();
    if (next.done) {
      this.keys = this.map.keys();
      next = this.keys.next();
    }
    if (next.done) return undefined;
    this.map.delete(next.value);
    return next.value;
  }
}
