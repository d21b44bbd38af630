import type { Logger } from '../../runtime/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';

export type WSState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'failed';

interface StateInfoBase {
  /** The state left (for a repeated `reconnecting`, `reconnecting` itself). */
  readonly previous: WSState;
  /** The connection id of the new connection (`connected`). */
  readonly deviceId?: string | undefined;
  /** Why the client failed or is reconnecting. */
  readonly error?: Error | undefined;
  /** `reconnecting`: which retry of the current outage comes next (1, 2, …). */
  readonly attempt?: number | undefined;
  /** `reconnecting`: how long the client waits before that retry. */
  readonly delayMs?: number | undefined;
}

/** Waiting `delayMs` before retry number `attempt`, after `error` (a failed attempt or the dropped connection). */
export interface ReconnectingInfo extends StateInfoBase {
  readonly state: 'reconnecting';
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: Error;
}

/** Gave up: a fatal error, the retries ran out, or `connectTimeoutMs` passed. Final. */
export interface FailedInfo extends StateInfoBase {
  readonly state: 'failed';
  readonly error: Error;
}

export interface ConnectedInfo extends StateInfoBase {
  readonly state: 'connected';
}

export interface OtherStateInfo extends StateInfoBase {
  readonly state: Exclude<WSState, 'reconnecting' | 'failed' | 'connected'>;
}

/** The `state` event's detail; `state` narrows it (e.g. `reconnecting` always has `attempt`, `delayMs`, `error`). */
export type StateInfo = ReconnectingInfo | FailedInfo | ConnectedInfo | OtherStateInfo;

/** The detail for one state, as the client passes it (the emitter adds `state` and `previous`). */
export type StateDetail<S extends WSState> = Omit<Extract<StateInfo, { state: S }>, 'state' | 'previous'>;

export interface WSClientEvents {
  /** `(state, info)`: `state` is `info.state`; checking `info.state` narrows `info`. */
  state: [state: WSState, info: StateInfo];
}

export type Listener<K extends keyof WSClientEvents> = (...args: WSClientEvents[K]) => void;

/** The client's state and its `state` event; a listener that throws is logged, never propagated. */
export class StateEmitter {
  private readonly events: TypedEmitter<WSClientEvents>;
  private value: WSState = 'idle';

  constructor(logger: Logger) {
    this.events = new TypedEmitter((event, err) => logger.error(`ws: ${String(event)} listener threw: ${err instanceof Error ? err.message : String(err)}`));
  }

  get state(): WSState {
    return this.value;
  }

  /** Is anyone told of state changes? (A fatal error they receive needs no log line.) */
  get listened(): boolean {
    return this.events.count('state') > 0;
  }

  on<K extends keyof WSClientEvents>(event: K, listener: Listener<K>, once = false): void {
    this.events.on(event, listener, once);
  }

  off<K extends keyof WSClientEvents>(event: K, listener: Listener<K>): void {
    this.events.off(event, listener);
  }

  /**
   * Moves to `state` and tells the listeners. Staying in the same state tells nobody, except
   * `reconnecting`: each retry is its own event, with its attempt number and delay.
   */
  set<S extends WSState>(state: S, detail: StateDetail<S>): void {
    const previous = this.value;
    if (previous === state && state !== 'reconnecting') return;
    this.value = state;
    const info = { ...detail, state, previous } as unknown as StateInfo;
    this.events.emit('state', state, info);
  }
}
