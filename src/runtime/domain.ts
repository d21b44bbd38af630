import type { CatalogEntry, DomainModule } from './catalog-types.js';
import type { CatalogSource, DispatcherOptions } from './dispatcher.js';
import { DispatcherBase, installRegistrations } from './dispatcher.js';
import { eventTypeOf } from './delivery.js';

export { eventTypeOf };
import type { ValidationResult } from './validation.js';
import { makeIssue, runValidator } from './validation.js';

export type DispatcherClass<R> = new (options?: DispatcherOptions) => DispatcherBase & R;

/** A catalog source over some entries, loading validators through `load`. */
export function catalogSource(entries: readonly CatalogEntry[], load: (domain: string) => Promise<DomainModule>): CatalogSource {
  const p2 = new Map<string, CatalogEntry>();
  const p1 = new Map<string, CatalogEntry>();
  for (const e of entries) (e.kind === 'p1' ? p1 : p2).set(e.eventType, e);
  return { lookup: (type, kind) => (kind === 'p1' ? p1 : p2).get(type), load };
}

/** A dispatcher class with one register_* method per entry. */
export function createDispatcherClass<R>(source: CatalogSource, entries: readonly CatalogEntry[]): DispatcherClass<R> {
  class EventDispatcher extends DispatcherBase {
    constructor(options?: DispatcherOptions) {
      super(source, options);
    }
  }
  installRegistrations(EventDispatcher, entries);
  return EventDispatcher as unknown as DispatcherClass<R>;
}

/** The dispatcher class of one domain subpath, whose validators are already loaded. */
export function createDomainDispatcher<R>(entries: readonly CatalogEntry[], module: DomainModule): DispatcherClass<R> {
  return createDispatcherClass<R>(catalogSource(entries, async () => module), entries);
}

export interface ValidateOptions {
  /** Reject properties the schema does not know. */
  strict?: boolean | undefined;
}

export function unroutable(eventType: string | undefined, message: string): ValidationResult {
  const issue = makeIssue('', 'eventType', message, 'a catalogued event', undefined, undefined);
  return { valid: false, eventType, errors: [{ ...issue, found: eventType ?? 'no event type' }], drift: [] };
}

/** Validates against a loaded module: shared by the sync per-domain `validate` and the async root one. */
export function validateWithModule(entry: CatalogEntry, module: DomainModule, payload: unknown, options: ValidateOptions = {}): ValidationResult {
  const validator = module.validators[entry.eventType];
  if (!validator) return unroutable(entry.eventType, `no validator for "${entry.eventType}"`);
  // A tool, not the delivery path: it looks for unknown properties in the default mode too (as drift).
  return runValidator(validator, module.shapes[entry.eventType], payload, options.strict ?? false, entry.eventType, { unknown: true });
}

export function createDomainValidate(entries: readonly CatalogEntry[], module: DomainModule): (payload: unknown, options?: ValidateOptions) => ValidationResult {
  const source = catalogSource(entries, async () => module);
  return (payload, options) => {
    const route = eventTypeOf(payload);
    if (!route) return unroutable(undefined, 'payload is neither a schema 2.0 nor a v1 event');
    const entry = source.lookup(route.eventType, route.kind);
    if (!entry) return unroutable(route.eventType, `no schema for event type "${route.eventType}" in this module`);
    return validateWithModule(entry, module, payload, options);
  };
}
