import type { Logger } from '../../runtime/logger.js';

export type WSState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'failed';

export interface StateInfo {
  readonly previous: WSState;
  /** The connection id of the new connection (`connected`). */
  readonly deviceId?: string | undefined;
  /** Why the client failed or is reconnecting. */
  readonly error?: Error | undefined;
}

export interface WSClientEvents {
  state: [state: WSState, info: StateInfo];
}

export type Listener<K extends keyof WSClientEvents> = (...args: WSClientEvents[K]) => void;

/**
 * The client's state and its `state` event. A tiny typed emitter rather than node:events, so that
 * the declarations need no @types/node; a listener that throws is logged, never propagated.
 */
export class StateEmitter {
  private readonly listeners: { [K in keyof WSClientEvents]: Array<{ fn: Listener<K>; once: boolean }> } = { state: [] };
  private value: WSState = 'idle';

  constructor(private readonly logger: Logger) {}

  get state(): WSState {
    return this.value;
  }

  on<K extends keyof WSClientEvents>(event: K, listener: Listener<K>, once = false): void {
    this.listeners[event].push({ fn: listener, once });
  }

  off<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): void {
    const list = this.listeners[event];
    const i = list.findIndex((l) => l.fn === listener);
    if (i >= 0) list.splice(i, 1);
  }

  /** Moves to `state` and tells the listeners; staying in the same state tells nobody. */
  set(state: WSState, info: Omit<StateInfo, 'previous'>): void {
    const previous = this.value;
    if (previous === state) return;
    this.value = state;
    this.emit('state', state, { previous, ...info });
  }

  private emit<K extends keyof WSClientEvents>(event: K, ...args: WSClientEvents[K]): void {
    const list = this.listeners[event];
    for (const l of [...list]) {
      if (l.once) list.splice(list.indexOf(l), 1);
      try {
        l.fn(...args);
      } catch (err) {
        this.logger.error(`ws: ${event} listener threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
