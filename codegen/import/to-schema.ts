/** Field tree → one event schema file, following schemas/README.md. */

import { objectTypeName, pascalCase, type DocType } from './field-types.js';
import type { FieldNode } from './field-tree.js';
import type { Problem } from './parse-page.js';
import { SCHEMA_BASE, TOP_ORDER, orderKeys, type EventKind, type Json, type JsonObject } from '../schema-file.js';

export interface EventSpec {
  eventType: string;
  kind: EventKind;
  typeName: string;
  registerMethod: string;
  domain: string;
  source: string;
  description: string;
  permissions: string[];
  fieldPermissions: string[];
  appTypes: string[];
  /** The whole field table (envelope rows included). */
  tree: FieldNode[];
  page: string;
  /** The message types of the message-content guide, for `message_type` fields (im). */
  messageTypes?: readonly string[];
}

const INT64_PATTERN = '^-?[0-9]+$';
const USER_ID_KEYS = new Set(['union_id', 'user_id', 'open_id']);

/** Values found in the example at a field path (array elements flattened). */
export type ExampleLookup = (path: string[]) => unknown[];

export function exampleLookup(example: unknown): ExampleLookup {
  return (path) => {
    let cur: unknown[] = [example];
    for (const seg of path) {
      const next: unknown[] = [];
      for (const v of cur) {
        if (v && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, seg)) {
          next.push((v as Record<string, unknown>)[seg]);
        }
      }
      cur = next.flatMap((v) => (Array.isArray(v) ? v : [v]));
    }
    return cur;
  };
}


/** Field names that say "a user (or their ids)": the subject of an `{open_id, …}` object. */
const USER_NAME = /user|operator|organizer|installer|applicant|approver|owner|creator|sender|reader|subscriber|member|employee|leader|manager|(^|_)ids?$|_id_list$/;
/** Names that say the object identifies something else, even when it only carries an `open_id`. */
const NOT_A_USER = /room|chat|department|dept|group|calendar|meeting|tenant|(^|_)app(_|$)/;

/**
 * `{union_id, user_id, open_id}` (or a subset) is the shared `user_id` definition when the doc type
 * is `user_id`, or when the field names a user; an `{open_id}` of a meeting room is not a user.
 */
function isUserIdShape(n: FieldNode): boolean {
  const shape = n.children.length > 0 && n.children.every((c) => USER_ID_KEYS.has(c.name) && c.type.kind === 'scalar' && c.type.scalar === 'string' && c.children.length === 0);
  if (!shape) return false;
  if (objectTypeName(n.type) === 'user_id') return true;
  return USER_NAME.test(n.name) && !NOT_A_USER.test(n.name);
}

interface Ctx {
  spec: EventSpec;
  definitions: Map<string, JsonObject>;
  /** definition name → canonical shape, for "same doc type, same shape → one definition". */
  shapes: Map<string, string>;
  lookup: ExampleLookup;
  /** Every official example of the event (none: the example was synthesized). */
  examples: readonly unknown[];
  problems: Problem[];
}

function scalarSchema(t: Extract<DocType, { kind: 'scalar' }>, path: string[], ctx: Ctx): JsonObject {
  switch (t.scalar) {
    case 'string': return { type: 'string' };
    case 'integer': return { type: 'integer' };
    case 'number': return { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'int64': {
      const seen = ctx.lookup(path);
      if (seen.some((v) => typeof v === 'number')) return { type: 'integer' };
      return { type: 'string', pattern: INT64_PATTERN, 'x-lark-type': 'int64' };
    }
  }
}

function enumValues(items: { value: string }[], base: JsonObject, n: FieldNode, ctx: Ctx): Json[] | null {
  const t = base['type'];
  const values: Json[] = [];
  for (const { value } of items) {
    if (t === 'integer' || t === 'number') {
      const num = Number(value);
      if (!Number.isFinite(num) || (t === 'integer' && !Number.isInteger(num))) {
        ctx.problems.push({ page: ctx.spec.page, line: n.line, message: `${n.name}: enum value "${value}" is not a ${t}; enum dropped`, severity: 'warning' });
        return null;
      }
      values.push(num);
    } else if (t === 'string') {
      values.push(value);
    } else {
      return null;
    }
  }
  return values;
}

/** Adds enum / constraints / annotations of a leaf to its schema (on arrays: enum on items). */
function decorateLeaf(schema: JsonObject, n: FieldNode, ctx: Ctx, isArray: boolean): void {
  const target = isArray ? (schema['items'] as JsonObject) : schema;
  const r = n.rules;
  if (r.enumItems.length > 0) {
    const values = enumValues(r.enumItems, target, n, ctx);
    const descs: JsonObject = {};
    r.enumItems.forEach((it, i) => { descs[String(values?.[i] ?? it.value)] = it.label; });
    // Bit flags ("bit 位表示") combine, and "支持读取自定义…值" admits tenant-defined values:
    // there the listed values are documentation, not the set of wire values.
    const open = r.enumOpen || /bit\s*位|位掩码|bitmask|支持读取自定义|自定义[^。]{0,12}值/i.test(r.description);
    if (values && !open) target['enum'] = values;
    // Literal unions of the Node SDK come without meanings.
    if (r.enumItems.some((it) => it.label !== '')) schema['x-lark-enum-descriptions'] = descs;
  }
  const c = r.constraints;
  if (isArray) {
    if (c.minLength !== undefined) schema['minItems'] = c.minLength;
    if (c.maxLength !== undefined) schema['maxItems'] = c.maxLength;
  } else if (target['type'] === 'string' && target['x-lark-type'] !== 'int64') {
    if (c.minLength !== undefined) schema['minLength'] = c.minLength;
    if (c.maxLength !== undefined) schema['maxLength'] = c.maxLength;
    if (c.pattern !== undefined && isValidRegex(c.pattern)) schema['pattern'] = c.pattern;
  } else if (c.minLength !== undefined || c.maxLength !== undefined) {
    ctx.problems.push({ page: ctx.spec.page, line: n.line, message: `${n.name}: length rule on a ${String(target['type'])} field ignored`, severity: 'warning' });
  }
  if (target['type'] === 'integer' || target['type'] === 'number') {
    if (c.minimum !== undefined) target['minimum'] = c.minimum;
    if (c.maximum !== undefined) target['maximum'] = c.maximum;
  }
  if (isArray && target !== schema) schema['items'] = orderKeys(target);
}

function isValidRegex(p: string): boolean {
  try { new RegExp(p, 'u'); return true; } catch { return false; }
}

function annotate(schema: JsonObject, n: FieldNode): JsonObject {
  if (n.rules.fieldPermissions.length > 0) schema = nullable(schema);
  if (n.rules.description !== '') schema['description'] = n.rules.description;
  if (n.rules.fieldPermissions.length > 0) schema['x-lark-field-permissions'] = [...n.rules.fieldPermissions];
  for (const [k, v] of Object.entries(n.annotations ?? {})) schema[k] = v;
  return orderKeys(schema);
}

/**
 * The nullability rule (schemas/README.md): a field the platform withholds without a scope (a
 * 字段权限要求 note) may arrive as null, "" or absent, so its schema admits null.
 */
export function nullable(schema: JsonObject): JsonObject {
  if (typeof schema['$ref'] === 'string') {
    const { $ref, ...rest } = schema;
    return { anyOf: [{ $ref }, { type: 'null' }], ...rest };
  }
  const t = schema['type'];
  if (t === undefined) return schema;
  const types = Array.isArray(t) ? t : [t];
  if (!types.includes('null')) schema['type'] = [...types, 'null'];
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(null)) schema['enum'] = [...schema['enum'], null];
  return schema;
}

/** The schema of a type without documented children (array items, map values, free-form objects). */
function plainTypeSchema(t: DocType, path: string[], ctx: Ctx): JsonObject {
  switch (t.kind) {
    case 'scalar': return scalarSchema(t, path, ctx);
    case 'any': return {};
    case 'union': {
      const u: JsonObject = { type: [...t.types] };
      if (t.types.includes('object')) u['additionalProperties'] = true;
      return u;
    }
    case 'object': return { type: 'object', additionalProperties: true };
    case 'map': return orderKeys({ type: 'object', additionalProperties: plainTypeSchema(t.values, path, ctx) });
    case 'array': {
      const s: JsonObject = { type: 'array' };
      if (t.item.kind !== 'any') s['items'] = plainTypeSchema(t.item, path, ctx);
      if (t.minItems !== undefined) s['minItems'] = t.minItems;
      if (t.maxItems !== undefined) s['maxItems'] = t.maxItems;
      return orderKeys(s);
    }
  }
}

/** The schema of an object's property list; returns the definition name. */
function objectDefinition(n: FieldNode, path: string[], ctx: Ctx): string {
  const typeName = objectTypeName(n.type);
  const base = ctx.spec.typeName + pascalCase(typeName ?? n.name);
  const def = objectBody(n.children, path, ctx);
  const body = orderKeys({ type: 'object', ...def });
  // Descriptions differ between uses of one doc type ("开始时间" / "结束时间"); the shape does not.
  // Presence is per use: one doc type used twice requires what both uses always carry.
  const { required: _required, ...bodyShape } = body;
  const shape = JSON.stringify(withoutDescriptions(bodyShape));
  let name = base;
  if (ctx.shapes.has(name) && ctx.shapes.get(name) !== shape) {
    name = base + pascalCase(n.name);
    let k = 2;
    while (ctx.shapes.has(name) && ctx.shapes.get(name) !== shape) name = `${base}${k++}`;
    if (!ctx.shapes.has(name)) {
      ctx.problems.push({ page: ctx.spec.page, line: n.line, message: `doc type ${typeName ?? n.name} has different shapes in this event; this one is ${name}`, severity: 'warning' });
    }
  }
  if (!ctx.shapes.has(name)) {
    ctx.shapes.set(name, shape);
    ctx.definitions.set(name, orderKeys({ title: name, ...body }));
  } else {
    const def = ctx.definitions.get(name) as JsonObject;
    const mine = Array.isArray(body['required']) ? body['required'] : [];
    const theirs = Array.isArray(def['required']) ? def['required'].filter((k) => mine.includes(k)) : [];
    if (theirs.length > 0) def['required'] = theirs;
    else delete def['required'];
  }
  return name;
}

const USER_ID_SCOPE = 'contact:user.employee_id:readonly';

/**
 * A user-id shape's `$ref`. The shared `../common/user_id.json` requires nothing, so it serves only the
 * uses whose ids the examples do not always carry. Where they do (`sender.sender_id.open_id` of a
 * received message), presence is per use: the ids get the event's own definition with its `required`
 * (named for the doc type, `<TypeName>UserId`), which the hoist pass shares only between events whose
 * required sets agree. `user_id` keeps the nullability rule there too: the scope withholds it
 * everywhere, whether or not the page notes it.
 */
function userIdRef(n: FieldNode, path: string[], ctx: Ctx): string {
  for (const c of n.children) {
    if (c.name === 'user_id' && c.rules.fieldPermissions.length === 0) c.rules = { ...c.rules, fieldPermissions: [USER_ID_SCOPE] };
  }
  if (!n.children.some((c) => isRequired(c, path, ctx))) return '../common/user_id.json';
  return `#/definitions/${objectDefinition(n, path, ctx)}`;
}

/** Annotations that document a use of a doc type, not its shape. */
const NOT_SHAPE = new Set(['description', 'x-lark-source', 'x-lark-note']);

function withoutDescriptions(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutDescriptions);
  if (v === null || typeof v !== 'object') return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!NOT_SHAPE.has(k)) out[k] = withoutDescriptions(x);
  return out;
}

export function objectBody(children: FieldNode[], path: string[], ctx: Ctx): JsonObject {
  const properties: JsonObject = {};
  const required: string[] = [];
  for (const c of children) {
    if (c.name in properties) {
      ctx.problems.push({ page: ctx.spec.page, line: c.line, message: `duplicate field ${c.name}; the later row wins`, severity: 'warning' });
    }
    inlineEnum(c, [...path, c.name], ctx);
    properties[c.name] = fieldSchema(c, [...path, c.name], ctx);
    if (isRequired(c, path, ctx) && !required.includes(c.name)) required.push(c.name);
  }
  return required.length > 0 ? { required, properties } : { properties };
}

// ---------------------------------------------------------------------------------------------
// Presence (schemas/README.md, "Required fields"): a field is required when the platform always
// sends it: it names the event's subject, or every official example has it (not null) and the
// page does not describe it as conditional.

/** Descriptions that say a field is sometimes missing. `可选值` (the values are) is no such word. */
const CONDITIONAL = /仅在|仅当|仅对|时返回|时才|才返回|才会|不返回|可能为空|为空|可能不|不一定|若|如果|如有|当[^。]{0,30}时|可选(?!值)|非必|选填|only when|only if|\bif\b|\bwhen\b|may be empty|may be absent|optional|omitted|deprecated|已废弃|废弃/i;

/** The objects of every example at `path` (array elements flattened). */
function instancesAt(examples: readonly unknown[], path: string[]): unknown[] {
  let cur: unknown[] = [...examples];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, seg)) {
        const child = (v as Record<string, unknown>)[seg];
        if (Array.isArray(child)) next.push(...child);
        else next.push(child);
      }
    }
    cur = next;
  }
  return cur.filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
}

/** The object tokens of the event type: `im.message.receive_v1` → message; `drive.file.bitable_record_changed_v1` → file. */
function subjectTokens(eventType: string): string[] {
  const parts = eventType.split('.');
  return parts.length >= 3 ? parts.slice(1, -1) : [];
}

function isSubject(n: FieldNode, path: string[], ctx: Ctx): boolean {
  const tokens = subjectTokens(ctx.spec.eventType);
  if (tokens.length === 0) return false;
  const rel = path.slice(1); // below `event`
  if (rel.length === 0) return tokens.some((t) => n.name === t || n.name === `${t}_id`);
  return rel.length === 1 && tokens.includes(rel[0] as string) && (n.name === 'id' || tokens.some((t) => n.name === `${t}_id`));
}

function isRequired(n: FieldNode, path: string[], ctx: Ctx): boolean {
  // Scope-dependent fields may be absent (the nullability rule).
  if (n.rules.fieldPermissions.length > 0) return false;
  if (CONDITIONAL.test(n.rules.description)) return false;
  const parents = instancesAt(ctx.examples, path);
  const always = parents.length > 0 && parents.every((p) => Object.prototype.hasOwnProperty.call(p, n.name) && (p as Record<string, unknown>)[n.name] !== null);
  if (parents.length > 0 && !always) return false; // an example lacks it: evidence wins
  return always || isSubject(n, path, ctx);
}

// ---------------------------------------------------------------------------------------------
// Literal unions from enumerations written inside descriptions ("user"（用户）或"bot"（机器人）),
// and the message types of the message-content guide.

/** Field names whose values are a closed set of codes. */
const CODE_NAME = /(^|_)(type|status|mode|role|kind|state|scene|category|level|platform|action)$/;
const INLINE_ITEM = /["“`]?\b([a-z][a-z0-9_]*)\b["”`]?\s*(?:（([^）]{1,20})）|\(([^)]{1,20})\)|[:：]\s*([^\s,，;；。、]{1,12}))/g;

function inlineEnum(n: FieldNode, path: string[], ctx: Ctx): void {
  if (n.children.length > 0 || n.rules.enumItems.length > 0 || n.rules.enumOpen) return;
  const scalar = n.type.kind === 'scalar' ? n.type : n.type.kind === 'array' && n.type.item.kind === 'scalar' ? n.type.item : null;
  if (!scalar || scalar.scalar !== 'string') return;
  let items: { value: string; label: string }[] = [];
  if ((n.name === 'message_type' || n.name === 'msg_type') && ctx.spec.messageTypes && ctx.spec.messageTypes.length > 0) {
    items = ctx.spec.messageTypes.map((v) => ({ value: v, label: '' }));
  } else if (CODE_NAME.test(n.name)) {
    for (const m of n.rules.description.matchAll(INLINE_ITEM)) {
      const value = m[1] as string;
      if (!items.some((i) => i.value === value)) items.push({ value, label: (m[2] ?? m[3] ?? m[4] ?? '').trim() });
    }
    if (items.length < 2) return;
  } else return;
  // The examples are the stronger evidence: values they send join the list.
  const seen = ctx.examples.length === 0 ? [] : instancesAt(ctx.examples, path.slice(0, -1)).map((p) => (p as Record<string, unknown>)[n.name]).flatMap((v) => (Array.isArray(v) ? v : [v]));
  for (const v of seen) if (typeof v === 'string' && !items.some((i) => i.value === v)) items.push({ value: v, label: '' });
  n.rules.enumItems = items;
}

export function fieldSchema(n: FieldNode, path: string[], ctx: Ctx): JsonObject {
  const t = n.type;
  if (t.kind === 'scalar') {
    const s = scalarSchema(t, path, ctx);
    decorateLeaf(s, n, ctx, false);
    return annotate(s, n);
  }
  if (t.kind === 'any') return annotate({}, n);
  if (t.kind === 'union' || t.kind === 'map') return annotate(plainTypeSchema(t, path, ctx), n);
  if (t.kind === 'object') {
    if (n.children.length === 0) return annotate({ type: 'object', additionalProperties: true }, n);
    if (isUserIdShape(n)) return annotate({ $ref: userIdRef(n, path, ctx) }, n);
    return annotate({ $ref: `#/definitions/${objectDefinition(n, path, ctx)}` }, n);
  }
  // Arrays.
  const item = t.item;
  let items: JsonObject;
  if (item.kind === 'scalar') {
    items = scalarSchema(item, path, ctx);
  } else if (item.kind === 'object' || (item.kind === 'any' && n.children.length > 0)) {
    if (n.children.length === 0) items = { type: 'object', additionalProperties: true };
    else if (isUserIdShape(n)) items = { $ref: userIdRef(n, path, ctx) };
    else items = { $ref: `#/definitions/${objectDefinition(n, path, ctx)}` };
  } else {
    items = plainTypeSchema(item, path, ctx);
  }
  const s: JsonObject = { type: 'array', items };
  if (t.minItems !== undefined) s['minItems'] = t.minItems;
  if (t.maxItems !== undefined) s['maxItems'] = t.maxItems;
  if (item.kind === 'scalar') decorateLeaf(s, n, ctx, true);
  else {
    const c = n.rules.constraints;
    if (c.minLength !== undefined) s['minItems'] = c.minLength;
    if (c.maxLength !== undefined) s['maxItems'] = c.maxLength;
  }
  return annotate(s, n);
}

export interface BuiltSchema {
  schema: JsonObject;
  dataName: string;
}

export function buildEventSchema(spec: EventSpec, example: unknown, problems: Problem[], examples: readonly unknown[] = example === undefined ? [] : [example]): BuiltSchema {
  const ctx: Ctx = { spec, definitions: new Map(), shapes: new Map(), lookup: exampleLookup(example), examples, problems };
  const eventNode = spec.tree.find((n) => n.name === 'event');
  const dataName = `${spec.typeName}Data`;
  const bodyFields = eventNode ? eventNode.children : [];
  if (!eventNode) problems.push({ page: spec.page, line: 0, message: `${spec.eventType}: the field table has no "event" row`, severity: 'error' });
  const body = objectBody(bodyFields.filter((c) => !(spec.kind === 'p1' && c.name === 'type')), ['event'], ctx);
  const props = body['properties'] as JsonObject;
  if (spec.kind === 'p1') {
    const typeRow = bodyFields.find((c) => c.name === 'type');
    const typeSchema: JsonObject = { type: 'string', const: spec.eventType };
    if (typeRow && typeRow.rules.description !== '') typeSchema['description'] = typeRow.rules.description;
    const ordered: JsonObject = {};
    // Keep the table order, with `type` where the table has it (or first).
    if (!typeRow) ordered['type'] = orderKeys(typeSchema);
    for (const c of bodyFields) {
      if (c.name === 'type') ordered['type'] = orderKeys(typeSchema);
      else if (c.name in props) ordered[c.name] = props[c.name] as Json;
    }
    body['properties'] = ordered;
    body['required'] = ['type', ...(Array.isArray(body['required']) ? body['required'].filter((k) => k !== 'type') : [])];
  }
  const dataDef = orderKeys({ title: dataName, type: 'object', ...body });
  const definitions: JsonObject = { [dataName]: dataDef };
  for (const name of [...ctx.definitions.keys()].sort()) definitions[name] = ctx.definitions.get(name) as JsonObject;

  const xLark: JsonObject = {
    event_type: spec.eventType,
    kind: spec.kind,
    register_method: spec.registerMethod,
    source: spec.source,
    permissions: [...spec.permissions],
    field_permissions: [...spec.fieldPermissions],
    app_types: [...spec.appTypes],
  };
  let properties: JsonObject;
  let required: string[];
  if (spec.kind === 'p1') {
    const envDesc = (name: string, fallback: string): string => spec.tree.find((n) => n.name === name)?.rules.description || fallback;
    properties = {
      uuid: { type: 'string', description: envDesc('uuid', '事件的唯一标识') },
      token: { type: 'string', description: envDesc('token', '即 Verification Token') },
      ts: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$', description: envDesc('ts', '事件发送时间') },
      type: { type: 'string', const: 'event_callback' },
      event: { $ref: `#/definitions/${dataName}` },
    };
    required = ['uuid', 'token', 'ts', 'type', 'event'];
  } else {
    properties = {
      schema: { type: 'string', const: '2.0', description: '事件模式' },
      header: { $ref: spec.kind === 'callback' ? '../common/callback_header.json' : '../common/event_header.json' },
      event: { $ref: `#/definitions/${dataName}` },
    };
    required = ['schema', 'header', 'event'];
  }
  const schema: JsonObject = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${SCHEMA_BASE}/${spec.domain}/${spec.eventType}.json`,
    title: spec.typeName,
    description: spec.description,
    'x-lark': xLark,
    type: 'object',
    required,
    properties,
    definitions,
  };
  return { schema: orderKeys(schema, TOP_ORDER), dataName };
}

