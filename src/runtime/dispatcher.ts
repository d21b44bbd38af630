import type { CatalogEntry, DomainModule, EventKind } from './catalog-types.js';
import type { BodyInput, Delivery, DeliveryLimits, EventDelivery } from './delivery.js';
import { idempotencyKey, isDelivery, readDelivery } from './delivery.js';
import { DriftRecorder } from './drift.js';
import type { DriftReport } from './drift.js';
import { IdempotencyUnavailableError, LarkEventError, MalformedBodyError } from './errors.js';
import type { EventHandler, HandlerContext, P1CustomizedEvent, Transport, UnknownEvent } from './handlers.js';
import type { IdempotencyStore, MemoryStoreOptions } from './idempotency.js';
import { MemoryIdempotencyStore, syncStoreOf } from './idempotency.js';
import type { Logger } from './logger.js';
import { defaultLogger } from './logger.js';
import type { ValidationIssue } from './validation.js';
import { formatIssue, makeIssue, runValidator } from './validation.js';
import { isThenable } from '../util/thenable.js';

export type ValidationMode = 'off' | 'warn' | 'reject';

export interface DispatcherOptions {
  /**
   * Validate payloads (and callback responses) before/after the handler: `off`, `warn` (log, still
   * dispatch; default) or `reject`. Only contradictions (a wrong type, a broken envelope, a missing
   * field) are rejected or warned about; drift (a new enum value, an unknown property, a null where
   * none was seen) is dispatched, and recorded with `recordDrift`.
   */
  validation?: ValidationMode | undefined;
  /** Treat drift as errors too (for tests): unknown properties anywhere, new enum values, unexpected nulls. */
  strict?: boolean | undefined;
  /** Events no handler is registered for: `log` (once per type; default) or `ignore` silently. A catch-all set with `onUnknown` wins. */
  unhandled?: 'log' | 'ignore' | undefined;
  /** Deepest JSON nesting of a body given as bytes, text or a parsed value (default 128). */
  maxJsonDepth?: number | undefined;
  /**
   * De-duplicates by event_id / uuid: a delivery already handled is acknowledged and not dispatched
   * again. Default: a bounded in-memory store (one process; 100 000 ids, 24 h), whose bounds an
   * options object (`{ maxEntries, ttlMs, pendingTtlMs }`) changes; pass a shared store (e.g.
   * Redis) when several instances receive, or `false` to dispatch every delivery. A store that
   * cannot answer a claim fails closed: the delivery is `unavailable` (503 / code 500) and its
   * handler does not run.
   */
  idempotency?: IdempotencyStore | MemoryStoreOptions | false | undefined;
  /** Record drift (per event type and JSON pointer: what kind, how often, the JSON types seen, never values); read it with `driftReport()`. */
  recordDrift?: boolean | undefined;
  logger?: Logger | undefined;
}

/** `queued` / `unavailable`: the durable inbox (src/inbox) acknowledged the enqueue, or could not enqueue (the platform retries). */
export type DispatchStatus = 'challenge' | 'handled' | 'ignored' | 'duplicate' | 'pending' | 'invalid' | 'malformed' | 'failed' | 'queued' | 'unavailable';

/**
 * The outcome of one delivery. It says what happened, not what to answer: each transport turns it
 * into its own answer (transport/webhook/answer.ts: HTTP status and JSON; transport/ws/answer.ts:
 * code 200 / 500 and data).
 */
export interface DispatchOutcome {
  readonly status: DispatchStatus;
  readonly kind?: EventKind | 'challenge' | 'encrypted' | undefined;
  readonly eventType?: string | undefined;
  readonly id?: string | undefined;
  /** What the platform gets back: a callback handler's (checked) return value, or the challenge echo. */
  readonly response?: unknown;
  /** Why a payload (`invalid`) or a callback's response (`failed`) does not match its schema. */
  readonly errors?: readonly ValidationIssue[] | undefined;
  /** What went wrong: a MalformedBodyError (`malformed`) or what the handler threw (`failed`). */
  readonly error?: unknown;
}

/** @deprecated The former name of DispatchOutcome. */
export type DispatchResult = DispatchOutcome;

/** Where a dispatcher finds catalog rows and loads a domain's validators (generated code supplies it). */
export interface CatalogSource {
  lookup(eventType: string, kind: 'p1' | 'p2'): CatalogEntry | undefined;
  load(domain: string): Promise<DomainModule>;
}

type AnyHandler = (event: never, context: HandlerContext) => unknown;

/** What `onError` learns about a failed delivery besides the error. */
export interface HandlerErrorContext {
  readonly transport: Transport;
  readonly kind: EventKind;
  readonly eventType: string;
  readonly id: string | undefined;
  /** `handler` (the typed or catch-all handler) or `any` (an `onAny` listener). */
  readonly source: 'handler' | 'any';
}

export type AnyEventListener = (event: UnknownEvent, context: HandlerContext) => unknown;
export type HandlerErrorListener = (error: unknown, context: HandlerErrorContext) => unknown;

interface Registration {
  readonly handler: AnyHandler;
  readonly entry: CatalogEntry | undefined;
}

/**
 * Routes deliveries to typed handlers. Generated subclasses add one `register_*` method per
 * catalogued event; transports and tests drive it through `dispatch`.
 */
export class DispatcherBase {
  protected readonly handlers = new Map<string, Registration>();
  private fallback: EventHandler<UnknownEvent> | undefined;
  private readonly anyListeners: AnyEventListener[] = [];
  private readonly errorListeners: HandlerErrorListener[] = [];
  private readonly loggedUnhandled = new Set<string>();
  private readonly modules = new Map<string, DomainModule>();
  private readonly drift: DriftRecorder | undefined;
  private readonly store: IdempotencyStore | undefined;
  /** The built-in memory store when it is the store: claims and completes without a Promise. */
  private readonly syncStore: MemoryIdempotencyStore | undefined;
  readonly options: Readonly<{ validation: ValidationMode; strict: boolean; unhandled: 'log' | 'ignore' }> & DispatcherOptions;
  protected readonly logger: Logger;
  private readonly limits: DeliveryLimits;

  constructor(protected readonly catalog: CatalogSource, options: DispatcherOptions = {}) {
    // undefined is "not given": it never overrides a default.
    this.options = { ...options, validation: options.validation ?? 'warn', strict: options.strict ?? false, unhandled: options.unhandled ?? 'log' };
    this.logger = options.logger ?? defaultLogger;
    this.limits = { maxJsonDepth: options.maxJsonDepth, isCallback: (t) => this.isCallback(t) };
    this.drift = options.recordDrift ? new DriftRecorder() : undefined;
    const idempotency = options.idempotency;
    this.store = idempotency === false ? undefined : isStore(idempotency) ? idempotency : new MemoryIdempotencyStore(idempotency);
    this.syncStore = syncStoreOf(this.store);
  }

  /** Handles v1 events under any key, including keys the catalog has no type for. */
  register_p1_customized_event(key: string, handler: EventHandler<P1CustomizedEvent>): this {
    return this.addHandler('p1', key, handler as AnyHandler);
  }

  /** Catch-all for deliveries of event types no handler is registered for. */
  onUnknown(handler: EventHandler<UnknownEvent>): this {
    this.fallback = handler;
    return this;
  }

  /**
   * Runs for every dispatched event and callback (schema 2.0 and v1), after the typed handler,
   * also when no typed handler is registered (the delivery then counts as handled). Its return
   * value is ignored: a callback's answer is its typed handler's. A throw fails the delivery like
   * a handler failure (the platform retries). Not called for duplicates, invalid or ignored deliveries.
   */
  onAny(listener: AnyEventListener): this {
    if (typeof listener !== 'function') throw new TypeError('onAny listener must be a function');
    this.anyListeners.push(listener);
    return this;
  }

  /** Called when a handler or an `onAny` listener throws, with the delivery's context; what it throws is logged. */
  onError(listener: HandlerErrorListener): this {
    if (typeof listener !== 'function') throw new TypeError('onError listener must be a function');
    this.errorListeners.push(listener);
    return this;
  }

  /** Event types with a handler, for transports that subscribe selectively and for tests. */
  registeredEventTypes(): string[] {
    return [...this.handlers.keys()].sort();
  }

  driftReport(): DriftReport {
    return this.drift?.report() ?? {};
  }

  protected addHandler(kind: 'p1' | 'p2', eventType: string, handler: AnyHandler): this {
    if (typeof handler !== 'function') throw new TypeError(`handler for "${eventType}" must be a function`);
    const key = kind === 'p1' ? `p1:${eventType}` : eventType;
    if (this.handlers.has(key)) throw new LarkEventError(`a handler for "${eventType}" is already registered`);
    this.handlers.set(key, { handler, entry: this.catalog.lookup(eventType, kind) });
    return this;
  }

  /** Is this schema 2.0 event type a callback (its handler's return value is the answer)? */
  isCallback(eventType: string): boolean {
    return this.catalog.lookup(eventType, 'p2')?.kind === 'callback';
  }

  /**
   * The one way in: dispatches a body (bytes, text or an already-parsed object, read with
   * `readDelivery` under this dispatcher's limits) or a delivery a transport already read.
   */
  async dispatch(input: BodyInput | Delivery, transport: Transport = 'direct'): Promise<DispatchOutcome> {
    return this.dispatchNow(input, transport);
  }

  /**
   * `dispatch` without a Promise when nothing on the way is asynchronous: the domain's validators
   * are loaded, the idempotency store is the in-memory one, and the handler and `onAny` listeners
   * return plain values. Otherwise it returns the same Promise `dispatch` would. For transports:
   * a synchronous answer saves the microtask hops of every `await` on the hot path.
   */
  dispatchNow(input: BodyInput | Delivery, transport: Transport = 'direct'): DispatchOutcome | Promise<DispatchOutcome> {
    let delivery: Delivery;
    if (isDelivery(input)) delivery = input;
    else {
      try {
        delivery = readDelivery(input, this.limits);
      } catch (err) {
        if (err instanceof MalformedBodyError) return { status: 'malformed', error: err };
        throw err;
      }
    }
    if (delivery.kind === 'challenge') return { status: 'challenge', kind: 'challenge', response: { challenge: delivery.challenge } };
    if (delivery.kind === 'encrypted') {
      const error = new MalformedBodyError('body is encrypted: decrypt it first (give the receiver the Encrypt Key)');
      return { status: 'malformed', kind: 'encrypted', error };
    }
    return this.dispatchEvent(delivery, transport);
  }

  private dispatchEvent(d: EventDelivery, transport: Transport): DispatchOutcome | Promise<DispatchOutcome> {
    const registration = this.handlers.get(d.kind === 'p1' ? `p1:${d.eventType}` : d.eventType);
    const entry = registration?.entry ?? this.catalog.lookup(d.eventType, d.kind === 'p1' ? 'p1' : 'p2');
    if (entry && (this.options.validation !== 'off' || this.drift)) {
      const module = this.modules.get(entry.domain);
      if (module === undefined) return this.loadModule(entry.domain).then((m) => this.checkAndRun(d, transport, registration, entry, m));
      return this.checkAndRun(d, transport, registration, entry, module);
    }
    return this.checkAndRun(d, transport, registration, entry, undefined);
  }

  /** Validation and drift, routing, de-duplication, then the handler. */
  private checkAndRun(d: EventDelivery, transport: Transport, registration: Registration | undefined, entry: CatalogEntry | undefined, module: DomainModule | undefined): DispatchOutcome | Promise<DispatchOutcome> {
    if (module && entry) {
      const validator = module.validators[entry.eventType];
      if (validator) {
        // The common case, valid and nothing to record, costs one validator call and no allocation.
        const valid = this.options.strict || this.drift ? undefined : validator(d.payload);
        if (valid !== true) {
          const shape = module.shapes[entry.eventType];
          const result = runValidator(validator, shape, d.payload, this.options.strict, d.eventType, { unknown: this.drift !== undefined, valid });
          if (this.drift) this.drift.recordIssues(entry.eventType, d.payload, [...result.errors, ...(result.drift ?? [])]);
          if (!result.valid && this.options.validation !== 'off') {
            if (this.options.validation === 'reject') {
              return { status: 'invalid', kind: d.kind, eventType: d.eventType, id: d.id, errors: result.errors };
            }
            this.logger.warn(`${d.eventType} payload does not match its schema`, { id: d.id, errors: result.errors.slice(0, 5).map(formatIssue) });
          } else if (result.drift && result.drift.length > 0 && this.options.validation !== 'off') {
            this.logger.debug(`${d.eventType} payload drifts from its schema (dispatched)`, { id: d.id, drift: result.drift.slice(0, 5).map(formatIssue) });
          }
        }
      } else if (this.drift) {
        const shape = module.shapes[entry.eventType];
        if (shape) this.drift.record(entry.eventType, d.payload, shape);
      }
    }

    const handler = registration?.handler ?? (this.fallback as AnyHandler | undefined);
    if (!handler && this.anyListeners.length === 0) {
      if (this.options.unhandled === 'log' && !this.loggedUnhandled.has(d.eventType)) {
        this.loggedUnhandled.add(d.eventType);
        this.logger.warn(`no handler for ${d.eventType}: acknowledged and ignored`);
      }
      return { status: 'ignored', kind: d.kind, eventType: d.eventType, id: d.id };
    }

    const store = this.store;
    // A callback's answer is its handler's return value: a redelivered callback (its first answer
    // lost) must run again to answer again, so callbacks are never de-duplicated.
    const key = store && d.id && d.kind !== 'callback' ? idempotencyKey(d.kind === 'p1' ? 'p1' : 'p2', d.id) : undefined;
    if (store && key) {
      if (this.syncStore) {
        const claim = this.syncStore.claimNow(key);
        if (claim !== 'claimed') return { status: claim === 'done' ? 'duplicate' : 'pending', kind: d.kind, eventType: d.eventType, id: d.id };
      } else {
        return this.claim(store, key, d).then((claim) => (claim === 'claimed' ? this.runHandler(d, transport, module, handler, key) : claim));
      }
    }
    return this.runHandler(d, transport, module, handler, key);
  }

  /** A store's claim; a store that throws fails closed. */
  private async claim(store: IdempotencyStore, key: string, d: EventDelivery): Promise<'claimed' | DispatchOutcome> {
    let claim: Awaited<ReturnType<IdempotencyStore['claim']>>;
    try {
      claim = await store.claim(key);
    } catch (error) {
      // Fail closed: without the store's answer the handler could run twice, so it does not run
      // now and the platform retries (503 / code 500).
      // Our Redis store logs the outage once; anything else a custom store throws is logged here.
      const log = error instanceof IdempotencyUnavailableError ? this.logger.debug : this.logger.warn;
      log.call(this.logger, `idempotency store unavailable, ${d.eventType} left for the platform to retry`, { id: d.id, error: errorText(error) });
      return { status: 'unavailable', kind: d.kind, eventType: d.eventType, id: d.id, error };
    }
    if (claim === 'done') return { status: 'duplicate', kind: d.kind, eventType: d.eventType, id: d.id };
    if (claim === 'pending') return { status: 'pending', kind: d.kind, eventType: d.eventType, id: d.id };
    return 'claimed';
  }

  /** Runs the handler and the `onAny` listeners, synchronously as long as none returns a thenable. */
  private runHandler(d: EventDelivery, transport: Transport, module: DomainModule | undefined, handler: AnyHandler | undefined, key: string | undefined): DispatchOutcome | Promise<DispatchOutcome> {
    const context: HandlerContext = { transport, kind: d.kind, eventType: d.eventType, id: d.id };
    let response: unknown;
    try {
      if (handler) response = (handler as (e: unknown, c: HandlerContext) => unknown)(d.payload, context);
    } catch (error) {
      return this.fail(d, transport, key, 'handler', error);
    }
    if (isThenable(response)) return this.runRest(d, transport, module, key, context, response, 0);
    const listeners = this.anyListeners;
    for (let i = 0; i < listeners.length; i++) {
      let done: unknown;
      try {
        done = listeners[i]!(d.payload as unknown as UnknownEvent, context);
      } catch (error) {
        return this.fail(d, transport, key, 'any', error);
      }
      if (isThenable(done)) return this.runRest(d, transport, module, key, context, response, i, done);
    }
    return this.finish(d, module, key, response);
  }

  /** The rest of runHandler once something returned a thenable: from listener `next` on (`pending` is its result). */
  private async runRest(d: EventDelivery, transport: Transport, module: DomainModule | undefined, key: string | undefined, context: HandlerContext, response: unknown, next: number, pending?: PromiseLike<unknown>): Promise<DispatchOutcome> {
    let source: 'handler' | 'any' = pending === undefined ? 'handler' : 'any';
    try {
      if (pending === undefined) response = await response;
      else await pending;
      source = 'any';
      const listeners = this.anyListeners;
      for (let i = pending === undefined ? next : next + 1; i < listeners.length; i++) await listeners[i]!(d.payload as unknown as UnknownEvent, context);
    } catch (error) {
      return this.fail(d, transport, key, source, error);
    }
    return this.finish(d, module, key, response);
  }

  private async fail(d: EventDelivery, transport: Transport, key: string | undefined, source: 'handler' | 'any', error: unknown): Promise<DispatchOutcome> {
    if (this.store && key) await this.record(this.store, 'release', key, d);
    this.logger.error(`${source === 'any' ? 'onAny listener' : 'handler'} for ${d.eventType} failed`, { id: d.id, error: errorText(error) });
    await this.reportError(error, { transport, kind: d.kind, eventType: d.eventType, id: d.id, source });
    return { status: 'failed', kind: d.kind, eventType: d.eventType, id: d.id, error };
  }

  /** The callback's response check, then the store's complete / release. */
  private finish(d: EventDelivery, module: DomainModule | undefined, key: string | undefined, response: unknown): DispatchOutcome | Promise<DispatchOutcome> {
    if (d.kind === 'callback') {
      const body = response === undefined || response === null ? {} : response;
      const problem = this.checkResponse(module, d.eventType, body);
      if (problem) return this.settle(d, key, 'release', { status: 'failed', kind: d.kind, eventType: d.eventType, id: d.id, errors: problem });
      return this.settle(d, key, 'complete', { status: 'handled', kind: d.kind, eventType: d.eventType, id: d.id, response: body });
    }
    return this.settle(d, key, 'complete', { status: 'handled', kind: d.kind, eventType: d.eventType, id: d.id });
  }

  private settle(d: EventDelivery, key: string | undefined, step: 'complete' | 'release', outcome: DispatchOutcome): DispatchOutcome | Promise<DispatchOutcome> {
    const store = this.store;
    if (!store || !key) return outcome;
    if (this.syncStore) {
      if (step === 'complete') this.syncStore.completeNow(key);
      else this.syncStore.releaseNow(key);
      return outcome;
    }
    return this.record(store, step, key, d).then(() => outcome);
  }

  /**
   * Records the handler's result in the store. A store that throws here does not change the
   * outcome: the handler did run (or fail), and answering 500 after a success would make the
   * platform run it again.
   */
  private async record(store: IdempotencyStore, step: 'complete' | 'release', key: string, d: EventDelivery): Promise<void> {
    try {
      await store[step](key);
    } catch (error) {
      this.logger.error(`idempotency store: ${step} for ${d.eventType} failed`, { id: d.id, error: errorText(error) });
    }
  }

  private async reportError(error: unknown, context: HandlerErrorContext): Promise<void> {
    for (const listener of this.errorListeners) {
      try {
        await listener(error, context);
      } catch (err) {
        this.logger.error('onError listener threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Issues with a callback's response when validation rejects them, else undefined (warnings are logged). */
  private checkResponse(module: DomainModule | undefined, eventType: string, body: unknown): ValidationIssue[] | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return [{ ...makeIssue('', 'type', 'a callback response must be an object', 'object', body, undefined), found: typeof body }];
    }
    const validator = module?.responseValidators[eventType];
    if (!validator || this.options.validation === 'off') return undefined;
    const result = runValidator(validator, module?.responseShapes[eventType], body, this.options.strict, eventType, { response: true });
    if (result.valid) return undefined;
    if (this.options.validation === 'reject') return [...result.errors];
    this.logger.warn(`${eventType} response does not match its schema`, { errors: result.errors.slice(0, 5).map(formatIssue) });
    return undefined;
  }

  private async loadModule(domain: string): Promise<DomainModule> {
    const cached = this.modules.get(domain);
    if (cached) return cached;
    const module = await this.catalog.load(domain);
    this.modules.set(domain, module);
    return module;
  }
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function isStore(value: IdempotencyStore | MemoryStoreOptions | undefined): value is IdempotencyStore {
  return typeof (value as Partial<IdempotencyStore> | undefined)?.claim === 'function';
}

/** Installs one `register_*` method per catalog entry on a dispatcher class (generated classes call this). */
/**
 * How a transport calls a dispatcher: through `dispatchNow` when its `dispatch` is DispatcherBase's
 * own (a wrapper may override it), so that a synchronous answer needs no Promise.
 */
export function dispatchFor<I extends BodyInput | Delivery>(dispatcher: { dispatch(input: I, transport?: Transport): Promise<DispatchOutcome> }, transport: Transport): (input: I) => DispatchOutcome | Promise<DispatchOutcome> {
  if (dispatcher instanceof DispatcherBase && dispatcher.dispatch === DispatcherBase.prototype.dispatch) {
    const own = dispatcher;
    return (input) => own.dispatchNow(input, transport);
  }
  return (input) => dispatcher.dispatch(input, transport);
}

export function installRegistrations(target: { prototype: object }, entries: readonly CatalogEntry[]): void {
  for (const entry of entries) {
    const kind = entry.kind === 'p1' ? 'p1' : 'p2';
    Object.defineProperty(target.prototype, entry.registerMethod, {
      configurable: true,
      writable: true,
      value: function (this: DispatcherBase, handler: AnyHandler) {
        return (this as unknown as { addHandler(k: string, t: string, h: AnyHandler): DispatcherBase }).addHandler(kind, entry.eventType, handler);
      },
    });
  }
}
