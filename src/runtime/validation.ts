import type { AjvError, CompiledValidator, Shape } from './catalog-types.js';
import { unknownProperties } from './shapes.js';

export interface ValidationIssue {
  /** JSON pointer of the offending value (RFC 6901), "" for the whole payload. */
  readonly pointer: string;
  readonly keyword: string;
  readonly message: string;
  /** What the schema wanted, e.g. `integer`, `one of 0, 1, 2`, `a property "event_id"`. */
  readonly expected: string;
  /** What the payload had, as short JSON, or `missing`. */
  readonly found: string;
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly eventType: string | undefined;
  readonly errors: readonly ValidationIssue[];
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function preview(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

const list = (v: unknown): string => (Array.isArray(v) ? v.map((x) => JSON.stringify(x)).join(', ') : JSON.stringify(v));

function expectedOf(e: AjvError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type': return String(p.type);
    case 'enum': return `one of ${list(p.allowedValues)}`;
    case 'const': return JSON.stringify(p.allowedValue);
    case 'required': return `a property "${String(p.missingProperty)}"`;
    case 'minLength': return `at least ${String(p.limit)} characters`;
    case 'maxLength': return `at most ${String(p.limit)} characters`;
    case 'minItems': return `at least ${String(p.limit)} items`;
    case 'maxItems': return `at most ${String(p.limit)} items`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': return `${String(p.comparison)} ${String(p.limit)}`;
    case 'pattern': return `a string matching ${String(p.pattern)}`;
    case 'additionalProperties': return 'no other properties';
    default: return e.message ?? e.keyword;
  }
}

export function issuesFromAjv(errors: readonly AjvError[], payload: unknown): ValidationIssue[] {
  return errors.map((e) => {
    const pointer = e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath;
    return {
      pointer,
      keyword: e.keyword,
      message: e.message ?? e.keyword,
      expected: expectedOf(e),
      found: e.keyword === 'required' ? 'missing' : preview(valueAt(payload, e.instancePath)),
    };
  });
}

/** What runValidator finds, or undefined when the payload is valid (allocates nothing then). */
export function validationIssues(validator: CompiledValidator, shape: Shape | undefined, payload: unknown, strict: boolean): ValidationIssue[] | undefined {
  const ok = validator(payload);
  if (ok && !(strict && shape)) return undefined;
  const errors = ok ? [] : issuesFromAjv(validator.errors ?? [], payload);
  if (strict && shape) {
    for (const pointer of unknownProperties(payload, shape)) {
      errors.push({ pointer, keyword: 'unknownProperty', message: 'property is not in the schema (strict mode)', expected: 'no such property', found: preview(valueAt(payload, pointer)) });
    }
  }
  return errors.length === 0 ? undefined : errors;
}

/** Runs a precompiled validator, plus the unknown-property check when strict. */
export function runValidator(validator: CompiledValidator, shape: Shape | undefined, payload: unknown, strict: boolean, eventType: string | undefined): ValidationResult {
  const errors = validationIssues(validator, shape, payload, strict) ?? [];
  return { valid: errors.length === 0, eventType, errors };
}

export function formatIssue(issue: ValidationIssue): string {
  const text = `${issue.pointer || '/'}: expected ${issue.expected}, found ${issue.found}`;
  return issue.keyword === 'eventType' ? `${text}: ${issue.message}` : text;
}
