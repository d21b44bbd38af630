import { catalog, domainLoaders } from '../generated/catalog.js';
import * as common from '../generated/common/validators.js';
import type { CatalogEntry, DomainModule } from './runtime/catalog-types.js';
import { catalogSource } from './runtime/domain.js';
import { LarkEventError } from './runtime/errors.js';

const loaded = new Map<string, Promise<DomainModule>>();

/** A domain's validators, imported once: later calls reuse the same promise. */
function loadDomain(domain: string): Promise<DomainModule> {
  let module = loaded.get(domain);
  if (!module) {
    const load = domainLoaders[domain];
    if (!load) return Promise.reject(new LarkEventError(`no generated module for domain "${domain}"`));
    module = load();
    loaded.set(domain, module);
  }
  return module;
}

/** The whole catalog, loading each domain's validators on first use. */
export const rootCatalog = catalogSource(catalog, loadDomain);

/** Validators of the shared shapes (envelopes, challenge, encrypted wrapper, legacy card action). */
export const commonModule: DomainModule = common;

export function findEntry(eventType: string, kind?: 'p1' | 'p2'): CatalogEntry | undefined {
  if (kind) return rootCatalog.lookup(eventType, kind);
  return rootCatalog.lookup(eventType, 'p2') ?? rootCatalog.lookup(eventType, 'p1');
}

export { catalog, loadDomain };
