import { LarkEventError } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';
import { defaultLogger } from '../../runtime/logger.js';
import type { WSClientOptions } from './client.js';
import { WSClient } from './client.js';
import { WSOptionError } from './errors.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type { StateInfo, WSState } from './state.js';

/** One app of a manager: its secret and dispatcher, and any client option of its own. */
export type WSAppOptions = Omit<WSClientOptions, 'appId'>;

export interface WSManagerOptions extends Omit<WSClientOptions, 'appId' | 'appSecret' | 'dispatcher'> {
  /** The apps by app id (`cli_…`); each app's options override the shared ones. */
  apps: Readonly<Record<string, WSAppOptions>>;
}

/** A failure of one app's client (`start()` rejects with it; `error` listeners get it). */
export class WSAppError extends LarkEventError {
  constructor(
    readonly appId: string,
    readonly error: Error,
  ) {
    super(`app ${appId}: ${error.message}`, { cause: error });
  }
}

export interface WSManagerEvents {
  /** An app's client changed state. */
  state: [appId: string, state: WSState, info: StateInfo];
  /**
   * An app's client gave up (its state is `failed`): fatal errors, retries run out. With no
   * listener, a failure that start() does not reject with is logged instead.
   */
  error: [appId: string, error: Error];
}

type Listener<K extends keyof WSManagerEvents> = (...args: WSManagerEvents[K]) => void;

/**
 * Runs one long connection per app in one process (long-connection.md: connections are per app
 * and credentials): a WSClient each, with its own dispatcher, started and closed together. Each
 * app's state is reported by `states()` and the `state` event; a client that fails does not stop
 * the others, and its error comes with its app id.
 */
export class WSManager {
  private readonly map = new Map<string, WSClient>();
  private readonly logger: Logger;
  private readonly events: TypedEmitter<WSManagerEvents>;
  /** Apps whose client.start() this manager's start() awaits: their failure reaches its caller. */
  private readonly starting = new Set<string>();

  constructor(options: WSManagerOptions) {
    const { apps, ...shared } = options ?? ({} as WSManagerOptions);
    if (typeof apps !== 'object' || apps === null || Object.keys(apps).length === 0) throw new WSOptionError('apps', 'WSManager: apps needs at least one app');
    const logger = (this.logger = shared.logger ?? defaultLogger);
    this.events = new TypedEmitter((event, err) => logger.error(`ws: manager ${String(event)} listener threw: ${err instanceof Error ? err.message : String(err)}`));
    for (const [appId, own] of Object.entries(apps)) {
      let client: WSClient;
      try {
        client = new WSClient({ ...shared, ...own, appId });
      } catch (err) {
        if (err instanceof WSOptionError) throw new WSOptionError(`apps.${appId}.${err.option}`, `WSManager: app ${appId}: ${err.message}`);
        throw err;
      }
      client.on('state', (state, info) => {
        this.events.emit('state', appId, state, info);
        if (state !== 'failed') return;
        const error = info.error ?? new Error('failed');
        // The client does not log (this listener hears it); with no one else to tell, the log must.
        if (!this.starting.has(appId) && this.events.count('error') === 0) this.logger.error(`ws: app ${appId}: giving up: ${error.message}`);
        this.events.emit('error', appId, error);
      });
      this.map.set(appId, client);
    }
  }

  /** The app ids managed. */
  get appIds(): readonly string[] {
    return [...this.map.keys()];
  }

  /** One app's client. */
  client(appId: string): WSClient | undefined {
    return this.map.get(appId);
  }

  /** Every app's state, by app id. */
  states(): Record<string, WSState> {
    return Object.fromEntries([...this.map].map(([appId, client]) => [appId, client.state]));
  }

  /**
   * Starts every app's client at once; resolves when all are connected. When some cannot connect,
   * rejects with the first app's WSAppError once every start has settled; the apps that did
   * connect keep running (close() stops them).
   */
  async start(): Promise<void> {
    const results = await Promise.allSettled([...this.map].map(async ([appId, client]) => {
      this.starting.add(appId);
      try {
        await client.start();
      } catch (err) {
        throw new WSAppError(appId, err instanceof Error ? err : new Error(String(err)));
      } finally {
        this.starting.delete(appId);
      }
    }));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as WSAppError] : []));
    if (failures.length > 0) {
      if (failures.length > 1) this.logger.error(`ws: ${failures.length} apps could not connect: ${failures.map((f) => f.appId).join(', ')}`);
      throw failures[0];
    }
  }

  /** Closes every app's client (each drains its running handlers first). */
  async close(): Promise<void> {
    await Promise.all([...this.map.values()].map((client) => client.close()));
  }

  on<K extends keyof WSManagerEvents>(event: K, listener: Listener<K>): this {
    this.events.on(event, listener);
    return this;
  }

  off<K extends keyof WSManagerEvents>(event: K, listener: Listener<K>): this {
    this.events.off(event, listener);
    return this;
  }
}
