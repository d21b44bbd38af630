/** The events an emitter has: each event's listener arguments. */
export type EventMap<E> = { [K in keyof E]: unknown[] };

export type EventListener<E extends EventMap<E>, K extends keyof E> = (...args: E[K]) => void;

/**
 * A tiny typed emitter rather than node:events, so that the declarations need no @types/node. A
 * listener that throws is reported (`report`), never propagated to the code that emitted.
 */
export class TypedEmitter<E extends EventMap<E>> {
  private readonly listeners: { [K in keyof E]?: Array<{ fn: EventListener<E, K>; once: boolean }> } = {};

  constructor(private readonly report: (event: keyof E, err: unknown) => void) {}

  on<K extends keyof E>(event: K, fn: EventListener<E, K>, once = false): void {
    (this.listeners[event] ??= []).push({ fn, once });
  }

  off<K extends keyof E>(event: K, fn: EventListener<E, K>): void {
    const list = this.listeners[event];
    const i = list ? list.findIndex((l) => l.fn === fn) : -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  /** How many listeners `event` has. */
  count(event: keyof E): number {
    return this.listeners[event]?.length ?? 0;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.listeners[event];
    if (!list) return;
    for (const l of [...list]) {
      if (l.once) list.splice(list.indexOf(l), 1);
      try {
        l.fn(...args);
      } catch (err) {
        this.report(event, err);
      }
    }
  }
}
