import type { AjvError, CompiledValidator, Shape } from './catalog-types.js';
import type { DriftKind, IssueClass, JsonType } from './classify.js';
import { classify, jsonTypeOf } from './classify.js';
import { unknownProperties } from '../util/unknown-properties.js';
import { valueAt } from '../util/json-pointer.js';

export type { DriftKind, IssueClass, JsonType };

export interface ValidationIssue {
  /** JSON pointer of the offending value (RFC 6901), "" for the whole payload. */
  readonly pointer: string;
  readonly keyword: string;
  readonly message: string;
  /** What the schema wanted, e.g. `integer`, `one of 0, 1, 2`, `a property "event_id"`. */
  readonly expected: string;
  /** What the payload had, as short JSON, or `missing`. */
  readonly found: string;
  /** `contradiction` (an error in every mode) or `drift` (an error in strict mode only; see classify.ts). */
  readonly class: IssueClass;
  /** For drift: what the catalog does not know yet. */
  readonly drift?: DriftKind | undefined;
  /** The JSON type of the value found (what drift reports keep instead of the value). */
  readonly foundType?: JsonType | 'missing' | undefined;
}

export interface ValidationResult {
  readonly valid: boolean;
  readonly eventType: string | undefined;
  /** The problems that make the payload invalid in this mode: contradictions, and in strict mode drift too. */
  readonly errors: readonly ValidationIssue[];
  /** Drift tolerated in the default mode (empty in strict mode, where drift is among the errors). */
  readonly drift?: readonly ValidationIssue[] | undefined;
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

// When ajv reports several problems for one pointer, the one kept (lowest first).
const RANK: Readonly<Record<string, number>> = { required: 0, type: 1, const: 2, enum: 3 };
const rank = (e: AjvError): number => RANK[e.keyword] ?? (e.keyword === 'anyOf' || e.keyword === 'oneOf' ? 9 : 5);
const pointerOf = (e: AjvError): string => (e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath);
const inBranch = (e: AjvError): boolean => /\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath);

/**
 * ajv's errors as one issue per pointer, the most specific kept. A value matching none of the
 * alternatives of an anyOf/oneOf gives one type issue naming every type allowed; when it has the
 * type of an alternative and fails inside it, the problems inside are reported, not the alternatives.
 */
export function issuesFromAjv(errors: readonly AjvError[], payload: unknown, shape?: Shape): ValidationIssue[] {
  const deeper = (p: string): boolean => errors.some((e) => pointerOf(e).startsWith(p + '/'));
  const byPointer = new Map<string, AjvError[]>();
  for (const e of errors) {
    const p = pointerOf(e);
    const list = byPointer.get(p);
    if (list) list.push(e);
    else byPointer.set(p, [e]);
  }
  const out: ValidationIssue[] = [];
  for (const [pointer, list] of byPointer) {
    const hasUnion = list.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    let kept = list;
    if (hasUnion && deeper(pointer)) {
      kept = list.filter((e) => !inBranch(e) && e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
      if (kept.length === 0) continue;
    }
    const best = [...kept].sort((a, b) => rank(a) - rank(b))[0] as AjvError;
    const value = best.keyword === 'required' ? undefined : valueAt(payload, best.instancePath);
    const foundType = jsonTypeOf(value);
    const types = best.keyword === 'type' ? [...new Set(kept.filter((e) => e.keyword === 'type').flatMap((e) => String(e.params.type).split(',')))] : [];
    out.push({
      pointer,
      keyword: best.keyword,
      message: best.message ?? best.keyword,
      expected: best.keyword === 'type' ? types.join(' or ') : expectedOf(best),
      found: best.keyword === 'required' ? 'missing' : preview(value),
      ...classify(best.keyword, pointer, foundType, payload, shape),
      foundType,
    });
  }
  return out;
}

/** An issue the validator does not report itself (unknown property, unroutable payload), classified. */
export function makeIssue(pointer: string, keyword: string, message: string, expected: string, found: unknown, payload: unknown, shape?: Shape): ValidationIssue {
  const foundType = jsonTypeOf(found);
  return { pointer, keyword, message, expected, found: preview(found), ...classify(keyword, pointer, foundType, payload, shape), foundType };
}

export interface RunOptions {
  /** Look for unknown properties in the default mode too (reported as drift); strict mode always does. */
  readonly unknown?: boolean | undefined;
  /**
   * A callback handler's response, not a delivery: the platform rejects what its schema does not
   * allow, so nothing in it is drift (unknown properties still count only in strict mode).
   */
  readonly response?: boolean | undefined;
  /** The validator's verdict when the caller just ran it on this payload (its `errors` are still there): not run again. */
  readonly valid?: boolean | undefined;
}

/**
 * Runs a precompiled validator and classifies what it finds. Strict: every problem is an error.
 * Default: contradictions are errors and drift is returned apart (unknown properties only with
 * `unknown`, since that walk costs time on every delivery).
 */
export function runValidator(validator: CompiledValidator, shape: Shape | undefined, payload: unknown, strict: boolean, eventType: string | undefined, options: RunOptions = {}): ValidationResult {
  const ok = options.valid ?? validator(payload);
  let issues = ok ? [] : issuesFromAjv(validator.errors ?? [], payload, shape);
  if (options.response) issues = issues.map((i) => (i.class === 'contradiction' ? i : { ...i, class: 'contradiction', drift: undefined }));
  if ((strict || options.unknown) && shape) {
    for (const pointer of unknownProperties(payload, shape)) {
      issues.push(makeIssue(pointer, 'unknownProperty', strict ? 'property is not in the schema (strict mode)' : 'property is not in the schema', 'no such property', valueAt(payload, pointer), payload, shape));
    }
  }
  if (strict) return { valid: issues.length === 0, eventType, errors: issues, drift: [] };
  const errors = issues.filter((i) => i.class === 'contradiction');
  return { valid: errors.length === 0, eventType, errors, drift: issues.filter((i) => i.class === 'drift') };
}

export function formatIssue(issue: ValidationIssue): string {
  const text = `${issue.pointer || '/'}: expected ${issue.expected}, found ${issue.found}`;
  return issue.keyword === 'eventType' ? `${text}: ${issue.message}` : text;
}
