export type EventKind = 'p2' | 'p1' | 'callback';

/** One row of the generated catalog: what the runtime needs to route and validate an event. */
export interface CatalogEntry {
  readonly eventType: string;
  readonly kind: EventKind;
  readonly domain: string;
  readonly typeName: string;
  readonly registerMethod: string;
}

/** The error objects of ajv's precompiled validators (the subset we read). */
export interface AjvError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

export type { Shape } from '../util/unknown-properties.js';
import type { Shape } from '../util/unknown-properties.js';

/** What a generated domain module (generated/<domain>/validators.js) exports. */
export interface DomainModule {
  readonly validators: Readonly<Record<string, CompiledValidator>>;
  readonly responseValidators: Readonly<Record<string, CompiledValidator>>;
  readonly shapes: Readonly<Record<string, Shape>>;
  readonly responseShapes: Readonly<Record<string, Shape>>;
}
