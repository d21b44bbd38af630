/**
 * Evidence first: where an official example and the schema built from its field table disagree,
 * the schema accepts what the example shows (the example is the stronger evidence of the wire), and
 * records the conflict in `x-lark-note`. Runs on an event schema before hoisting (its definitions
 * are still local), over every official example of the event.
 *
 * - a value of another JSON type: the type is widened to both (a number or a numeric string, a
 *   stringified array, an object sent as an array of such objects, a null);
 * - a value outside the enum: the value joins the enum;
 * - a property the table lacks: added, typed from the value;
 * - a length or range the value breaks: the rule is dropped;
 * - a header that lacks a key the common header requires, or has others: the event gets its own
 *   header definition, a copy of the common one that fits the example.
 *
 * Placeholders such as "ou_xxx" or "170134xxxxx18480" are the docs' redactions, not facts about the
 * format: a pattern a redacted value breaks is kept, and the conflict is reported instead.
 */

import { isObject, orderKeys, type Json, type JsonObject } from '../schema-file.js';
import type { Problem } from './parse-page.js';
import type { StrictError, StrictValidator } from './validate.js';
import { unescapeToken } from '../../src/util/json-pointer.js';

const LOCAL_REF = '#/definitions/';
const HEADER_REFS: Record<string, string> = {
  '../common/event_header.json': 'https://lark-event-catalog.dev/schemas/common/event_header.json',
  '../common/callback_header.json': 'https://lark-event-catalog.dev/schemas/common/callback_header.json',
};
const REDACTED = /x{3,}|X{3,}|\*{3,}/;

export interface EvidenceInput {
  eventType: string;
  page: string;
  line: number;
  validator: StrictValidator;
  problems: Problem[];
}

/** The JSON type of a value, as a schema names it. */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function addNote(node: JsonObject, text: string): void {
  const before = typeof node['x-lark-note'] === 'string' ? node['x-lark-note'] : '';
  if (before.includes(text)) return;
  node['x-lark-note'] = before === '' ? text : `${before} ${text}`;
}

function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.split('/').slice(1).map(unescapeToken);
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const t of pointerTokens(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

/** The node a slot refers to: a local definition, else the slot itself. */
function deref(schema: JsonObject, node: JsonObject): JsonObject | null {
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  if (!ref.startsWith(LOCAL_REF)) return null;
  const defs = schema['definitions'];
  const def = isObject(defs) ? defs[ref.slice(LOCAL_REF.length)] : undefined;
  return isObject(def) ? def : null;
}

/** The branch of an `anyOf` slot that describes a value of this JSON type. */
function branchFor(schema: JsonObject, slot: JsonObject, type: string): JsonObject | null {
  const branches = Array.isArray(slot['anyOf']) ? slot['anyOf'].filter(isObject) : [slot];
  for (const b of branches) {
    const target = deref(schema, b);
    if (!target) continue;
    const t = target['type'];
    const types = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
    if (types.includes(type) || (type === 'integer' && types.includes('number'))) return target;
  }
  return null;
}

/**
 * The schema slot the data at `pointer` is checked against (a property, an array's items, a map's
 * values), or null where the path leaves this file (common shapes) or the schema says nothing.
 */
function slotAt(schema: JsonObject, data: unknown, pointer: string): JsonObject | null {
  let node: JsonObject = schema;
  let value: unknown = data;
  for (const token of pointerTokens(pointer)) {
    const here = branchFor(schema, node, jsonTypeOf(value));
    if (!here) return null;
    let next: Json | undefined;
    if (Array.isArray(value)) {
      next = here['items'];
      value = value[Number(token)];
    } else if (isObject(value)) {
      const props = here['properties'];
      next = isObject(props) && isObject(props[token]) ? props[token] : here['additionalProperties'];
      value = value[token];
    } else return null;
    if (!isObject(next)) return null;
    node = next;
  }
  return node;
}

/** A schema for a value the table did not describe. */
function inferred(v: unknown): JsonObject {
  const t = jsonTypeOf(v);
  if (t === 'object') return { type: 'object', additionalProperties: true };
  if (t === 'array') {
    const first = (v as unknown[]).find((x) => x !== null);
    return first === undefined ? { type: 'array' } : { type: 'array', items: inferred(first) };
  }
  if (t === 'null') return {};
  return { type: t };
}

/** Widens a slot to also accept `value`'s JSON type. Returns whether it changed. */
function widen(schema: JsonObject, slot: JsonObject, value: unknown): boolean {
  const vt = jsonTypeOf(value);
  if (branchFor(schema, slot, vt)) return false;
  const typeText = (n: JsonObject): string => (typeof n['$ref'] === 'string' ? 'object' : Array.isArray(n['type']) ? n['type'].join(' | ') : String(n['type'] ?? 'any'));
  const note = (was: string): void => addNote(slot, `The field table types this field ${was}; an official example sends ${show(value)}, so both are accepted.`);
  if (typeof slot['$ref'] === 'string' || Array.isArray(slot['anyOf'])) {
    const was = Array.isArray(slot['anyOf']) ? 'as one of several forms' : `as ${typeText(slot)}`;
    const branches: Json[] = Array.isArray(slot['anyOf']) ? slot['anyOf'] : [{ $ref: slot['$ref'] as string }];
    delete slot['$ref'];
    let extra: JsonObject;
    const ref = (branches[0] as JsonObject)['$ref'];
    if (vt === 'array' && typeof ref === 'string') extra = { type: 'array', items: { $ref: ref } };
    else extra = inferred(value);
    if (vt === 'null') extra = { type: 'null' };
    slot['anyOf'] = [...branches, extra];
    note(was);
    reorder(slot);
    return true;
  }
  const t = slot['type'];
  const types = Array.isArray(t) ? t.map(String) : typeof t === 'string' ? [t] : [];
  if (types.length === 0) return false;
  const was = types.join(' | ');
  slot['type'] = [...types, vt];
  if (vt === 'object' && slot['additionalProperties'] === undefined && slot['properties'] === undefined) slot['additionalProperties'] = true;
  note(was);
  reorder(slot);
  return true;
}

function reorder(slot: JsonObject): void {
  const ordered = orderKeys(slot);
  for (const k of Object.keys(slot)) delete slot[k];
  Object.assign(slot, ordered);
}

/** The target of an enum: the slot itself, or its items for an array checked element by element. */
function fix(schema: JsonObject, example: unknown, e: StrictError, input: EvidenceInput): boolean {
  if (e.schemaPath.includes('/anyOf/')) return false; // the anyOf error itself says it
  const value = valueAt(example, e.instancePath);
  const slot = slotAt(schema, example, e.instancePath);
  const where = `${input.eventType}: ${e.instancePath || '/'}`;
  const report = (message: string): void => { input.problems.push({ page: input.page, line: input.line, message: `${where}: ${message}`, severity: 'warning' }); };
  switch (e.keyword) {
    case 'type':
    case 'anyOf': {
      if (!slot) return false;
      const changed = widen(schema, slot, value);
      if (changed) report(`the table's type does not admit the example's ${show(value)}; both are accepted`);
      return changed;
    }
    case 'enum': {
      const target = branchFor(schema, slot ?? {}, jsonTypeOf(value)) ?? slot;
      if (!target || !Array.isArray(target['enum'])) return false;
      if (target['enum'].some((v) => JSON.stringify(v) === JSON.stringify(value))) return false;
      target['enum'] = [...target['enum'], value as Json];
      addNote(slot ?? target, `An official example sends ${show(value)}, which the field table does not list; it is accepted.`);
      report(`the example's value ${show(value)} is not among the documented values; added to the enum`);
      return true;
    }
    case 'additionalProperties': {
      const name = String(e.params['additionalProperty']);
      const owner = slot ? branchFor(schema, slot, 'object') : null;
      if (!owner) return false;
      const props: JsonObject = isObject(owner['properties']) ? owner['properties'] : {};
      props[name] = orderKeys({ ...inferred(isObject(value) ? value[name] : undefined), description: 'Not in the field table; shown by an official example.' });
      owner['properties'] = props;
      report(`the example has ${name}, which the field table does not list; added from the example`);
      return true;
    }
    case 'minLength': case 'maxLength': case 'minItems': case 'maxItems': case 'minimum': case 'maximum': {
      const target = slot ? branchFor(schema, slot, jsonTypeOf(value)) : null;
      if (!target || !(e.keyword in target)) return false;
      delete target[e.keyword];
      addNote(target, `The documented ${e.keyword} is dropped: an official example breaks it (${show(value)}).`);
      report(`the example breaks the documented ${e.keyword}; rule dropped`);
      return true;
    }
    case 'pattern': {
      const target = slot ? branchFor(schema, slot, 'string') : null;
      if (!target || !('pattern' in target)) return false;
      delete target['pattern'];
      // A redaction says nothing about the format, but the example must still validate.
      if (typeof value === 'string' && REDACTED.test(value)) addNote(target, `No pattern: the only official example redacts this value (${show(value)}).`);
      else addNote(target, `The pattern is dropped: an official example sends ${show(value)}.`);
      report(`the example breaks the pattern; dropped`);
      return true;
    }
    default:
      return false;
  }
}

/**
 * The event's own header definition when an example's header does not fit the common one: the
 * common header's properties, required only where the example has them, plus the keys it adds.
 */
function fitHeader(schema: JsonObject, typeName: string, examples: readonly unknown[], input: EvidenceInput): boolean {
  const props = schema['properties'];
  if (!isObject(props) || !isObject(props['header'])) return false;
  const slot = props['header'];
  const ref = slot['$ref'];
  const name = `${typeName}Header`;
  let def: JsonObject;
  const defs = isObject(schema['definitions']) ? schema['definitions'] : {};
  if (typeof ref === 'string' && HEADER_REFS[ref]) {
    const common = input.validator.common(HEADER_REFS[ref] as string);
    if (!common) return false;
    const headers = examples.map((ex) => (isObject(ex) && isObject(ex['header']) ? ex['header'] : null)).filter((h): h is JsonObject => h !== null);
    const required = Array.isArray(common['required']) ? common['required'].map(String) : [];
    const known = isObject(common['properties']) ? common['properties'] : {};
    const missing = required.filter((k) => headers.some((h) => !(k in h)));
    const extra = [...new Set(headers.flatMap((h) => Object.keys(h)))].filter((k) => !(k in known));
    const broken = [...new Set(examples.flatMap((ex) => input.validator.errors(schema, ex)).filter((e) => e.instancePath.startsWith('/header/')).map((e) => e.instancePath.slice('/header/'.length).split('/')[0] as string))].filter((k) => !missing.includes(k) && !extra.includes(k));
    if (missing.length === 0 && extra.length === 0 && broken.length === 0) return false;
    // Refs inside the common header are relative to common/.
    const properties = JSON.parse(JSON.stringify(known).replace(/"\$ref":"(?!#|\.\.\/|https?:)([^"]+)"/g, '"$ref":"../common/$1"')) as JsonObject;
    for (const k of extra) {
      const v = headers.find((h) => k in h)?.[k];
      properties[k] = orderKeys({ ...inferred(v), description: 'Not in the common header; shown by an official example of this event.' });
    }
    const notes: string[] = [];
    if (missing.length > 0) notes.push(`an official example's header lacks ${missing.join(', ')}`);
    if (extra.length > 0) notes.push(`it carries ${extra.join(', ')}`);
    if (broken.length > 0) notes.push(`its ${broken.join(', ')} does not fit the common definition`);
    def = orderKeys({
      title: name,
      type: 'object',
      required: required.filter((k) => !missing.includes(k)),
      properties,
      description: `${String(common['description'] ?? '')} This event's own copy of the common header: ${notes.join('; ')}.`.trim(),
      'x-lark-note': `The common header (${ref}) does not fit this event: ${notes.join('; ')}.`,
    });
    schema['definitions'] = { ...defs, [name]: def };
    props['header'] = { $ref: `${LOCAL_REF}${name}` };
    input.problems.push({ page: input.page, line: input.line, message: `${input.eventType}: the header of an official example does not fit ${ref} (${notes.join('; ')}); the event gets its own header definition ${name}`, severity: 'warning' });
    return true;
  }
  return false;
}

/** Makes `schema` accept every example; returns the examples that still fail (with their errors). */
export function applyExampleEvidence(schema: JsonObject, examples: readonly unknown[], input: EvidenceInput): string[] {
  const typeName = String(schema['title']);
  fitHeader(schema, typeName, examples, input);
  const remaining: string[] = [];
  for (const example of examples) {
    for (let round = 0; round < 20; round++) {
      const errors = input.validator.errors(schema, example);
      if (errors.length === 0) break;
      let changed = false;
      for (const e of errors) if (fix(schema, example, e, input)) changed = true;
      if (!changed) {
        remaining.push(...errors.map((e) => `${e.instancePath || '/'} ${e.message}`));
        break;
      }
    }
  }
  return remaining;
}
