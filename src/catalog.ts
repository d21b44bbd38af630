import { catalog, domainLoaders } from '../generated/catalog.js';
import * as common from '../generated/common/validators.js';
import type { CatalogEntry, DomainModule } from './runtime/catalog-types.js';
import { catalogSource } from './runtime/domain.js';
import { LarkEventError } from './runtime/errors.js';

async function loadDomain(domain: string): Promise<DomainModule> {
  const load = domainLoaders[domain];
  if (!load) throw new LarkEventError(`no generated module for domain "${domain}"`);
  return load();
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
