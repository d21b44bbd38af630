/** catalog.tsv rows and the naming rule for event types that are not listed. */

import { readFileSync } from 'node:fs';
import type { CatalogRow } from '../catalog.js';
import { domainOf, parseCatalogText } from '../catalog.js';
import type { EventKind } from './to-schema.js';

export type { CatalogRow };

/** catalog.tsv rows by event type. */
export function parseCatalog(text: string): Map<string, CatalogRow> {
  return new Map(parseCatalogText(text).map((r) => [r.eventType, r]));
}

export function loadCatalog(path: string): Map<string, CatalogRow> {
  return parseCatalog(readFileSync(path, 'utf8'));
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `P2` + every token (split on `.` and `_`) with its first letter upper-cased; `P1` for v1 keys. */
export function typeNameFor(eventType: string, kind: EventKind): string {
  return (kind === 'p1' ? 'P1' : 'P2') + eventType.split(/[._]/).filter((t) => t !== '').map(upperFirst).join('');
}

export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function registerMethodFor(eventType: string, kind: EventKind): string {
  return kind === 'p1' ? `register_p1_${snakeCase(eventType)}` : `register_p2_${eventType.replace(/\./g, '_')}`;
}

export { domainOf as domainFor };
