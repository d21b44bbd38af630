/** Official examples (repaired when slightly broken) and synthesized ones. */

import { createHash } from 'node:crypto';
import type { FieldNode } from './field-tree.js';
import type { DocType } from './field-types.js';
import type { EventKind, Json, JsonObject } from '../schema-file.js';

export interface RepairResult {
  value: unknown;
  repairs: string[];
}

/** Removes // and /* *\/ comments outside strings. */
function stripComments(s: string): { text: string; changed: boolean } {
  let out = '';
  let inStr = false;
  let esc = false;
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if (inStr) {
      out += ch;
      if (esc) esc = false;
      else if (ch === '\\') esc = true;
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') { inStr = true; out += ch; continue; }
    if (ch === '/' && s[i + 1] === '/') {
      while (i < s.length && s[i] !== '\n') i++;
      out += '\n';
      changed = true;
      continue;
    }
    if (ch === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 1;
      changed = true;
      continue;
    }
    out += ch;
  }
  return { text: out, changed };
}

/** Applies a replacement only outside string literals. */
function outsideStrings(s: string, fn: (chunk: string) => string): string {
  const parts = s.split(/("(?:[^"\\\n]|\\.)*")/);
  return parts.map((p, i) => (i % 2 === 1 ? p : fn(p))).join('');
}

/** Parses an example; repairs comments, trailing commas, `...` placeholders, smart quotes. */
export function parseExample(text: string): RepairResult | { error: string } {
  try {
    return { value: JSON.parse(text), repairs: [] };
  } catch {
    // fall through to repairs
  }
  const repairs: string[] = [];
  let s = text;
  const c = stripComments(s);
  if (c.changed) { s = c.text; repairs.push('removed comments'); }
  const before = s;
  s = s.replace(/[“”]/g, '"');
  if (s !== before) repairs.push('replaced typographic quotes');
  let t = outsideStrings(s, (chunk) => chunk
    .replace(/^\s*(\.\.\.|…)+\s*,?\s*$/gm, '')
    .replace(/,\s*(\.\.\.|…)+/g, '')
    .replace(/(\.\.\.|…)+\s*,?/g, ''));
  if (t !== s) { repairs.push('removed "..." placeholders'); s = t; }
  t = outsideStrings(s, (chunk) => chunk.replace(/,(\s*[}\]])/g, '$1'));
  if (t !== s) { repairs.push('removed trailing commas'); s = t; }
  // Placeholders can leave "[ , x]" or "{ , }".
  t = outsideStrings(s, (chunk) => chunk.replace(/([[{]\s*),/g, '$1'));
  if (t !== s) { repairs.push('removed leading commas'); s = t; }
  try {
    return { value: JSON.parse(s), repairs };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function hex(seed: string, len: number): string {
  let out = '';
  let i = 0;
  while (out.length < len) out += createHash('sha256').update(`${seed}#${i++}`).digest('hex');
  return out.slice(0, len);
}

function timeValue(n: FieldNode, seconds: boolean): number {
  return seconds ? 1700000000 : 1700000000000;
}

function isSecondsTime(n: FieldNode): boolean {
  const d = n.rules.description;
  if (/毫秒|ms\b|millisecond/i.test(d)) return false;
  if (/秒|second|\(s\)|单位[:：]\s*s/i.test(d)) return true;
  return false;
}

function looksLikeTime(name: string): boolean {
  return /(^|_)(time|timestamp|ts|date_time)$|_time_|^time_|_at$/.test(name);
}

function stringFor(n: FieldNode, path: string[]): string {
  const name = n.name;
  const seed = path.join('.');
  const d = n.rules.description;
  if (name === 'open_id' || name.endsWith('_open_id')) return `ou_${hex(seed, 32)}`;
  if (name === 'union_id' || name.endsWith('_union_id')) return `on_${hex(seed, 30)}`;
  if (name === 'user_id' || name === 'employee_id' || name.endsWith('_user_id') || name.endsWith('_employee_id')) return hex(seed, 8).replace(/^[0-9]/, 'e');
  if (/chat_id$/.test(name)) return `oc_${hex(seed, 32)}`;
  if (/thread_id$/.test(name)) return `omt_${hex(seed, 12)}`;
  if (/(message_id|^root_id|^parent_id)$/.test(name)) return `om_${hex(seed, 32)}`;
  if (name === 'tenant_key') return '2ca1d211f64f6438';
  if (name === 'app_id') return 'cli_9f5343c580712544';
  if (/department_id$/.test(name)) return `od-${hex(seed, 32)}`;
  const idLike = /(^|_)(id|ids|code|key|token|uuid|no)$/.test(name);
  if (looksLikeTime(name) || (!idLike && /时间戳/.test(d))) {
    if (/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(d) || /示例格式/.test(d)) {
      const m = /示例格式[:：]\s*([0-9][0-9:\- T]*[0-9])/.exec(d);
      if (m && m[1]) return m[1];
    }
    return String(timeValue(n, isSecondsTime(n)));
  }
  if (/(^|_)date$/.test(name)) return '2024-01-01';
  if (/email$/.test(name)) return 'user@example.com';
  if (/mobile$|phone$/.test(name)) return '+8613800000000';
  if (/(url|link)$/.test(name)) return 'https://www.example.com';
  if (/(^|_)(locale|lang|language)$/.test(name)) return 'zh_cn';
  if (/(^|_)(id|code|key|token|uuid)$/.test(name) || /_ids?$/.test(name)) return hex(seed, 16);
  if (/(^|_)(name|title)$/.test(name)) return '示例名称';
  if (/(desc|description|remark|reason|content|comment|text)$/.test(name)) return '示例文本';
  return `${name}_example`;
}

function constrainString(s: string, n: FieldNode): string {
  const { minLength, maxLength } = n.rules.constraints;
  let out = s;
  if (maxLength !== undefined && out.length > maxLength) out = out.slice(0, maxLength);
  if (minLength !== undefined) while (out.length < minLength) out += 'x';
  return out;
}

function clamp(v: number, n: FieldNode): number {
  const { minimum, maximum } = n.rules.constraints;
  let out = v;
  if (maximum !== undefined && out > maximum) out = maximum;
  if (minimum !== undefined && out < minimum) out = minimum;
  return out;
}

function firstEnum(n: FieldNode): string | undefined {
  return n.rules.enumItems[0]?.value;
}


function scalarValue(n: FieldNode, kind: string, path: string[]): Json {
  const e = firstEnum(n);
  switch (kind) {
    case 'string': return e ?? constrainString(stringFor(n, path), n);
    case 'int64': return e ?? (looksLikeTime(n.name) ? String(timeValue(n, isSecondsTime(n))) : `7${hex(path.join('.'), 18).replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10))}`);
    case 'integer': return e !== undefined ? Number(e) : clamp(looksLikeTime(n.name) ? timeValue(n, isSecondsTime(n)) : 1, n);
    case 'number': return e !== undefined ? Number(e) : clamp(1.5, n);
    case 'boolean': return true;
    default: return null;
  }
}

/** A value of a type without documented children (nested arrays, map values). */
function plainValue(t: DocType, n: FieldNode, path: string[]): Json {
  const bare: FieldNode = { ...n, rules: { ...n.rules, enumItems: [], constraints: {} } };
  switch (t.kind) {
    case 'scalar': return scalarValue(bare, t.scalar, path);
    case 'any': return 'value';
    case 'union': return t.types.includes('string') ? 'value' : t.types.includes('object') ? { key: 'value' } : 1;
    case 'object': return { key: 'value' };
    case 'map': return { key: plainValue(t.values, n, [...path, 'key']) };
    case 'array': {
      if (t.item.kind === 'any') return [];
      const count = Math.max(1, t.minItems ?? 1);
      return Array.from({ length: count }, (_, i) => plainValue(t.item, n, [...path, String(i)]));
    }
  }
}

export function synthesizeValue(n: FieldNode, path: string[]): Json {
  const t = n.type;
  if (t.kind === 'scalar') return scalarValue(n, t.scalar, path);
  if (t.kind === 'any') return 'value';
  if (t.kind === 'union' || t.kind === 'map') return plainValue(t, n, path);
  if (t.kind === 'object') return n.children.length === 0 ? { key: 'value' } : synthesizeObject(n.children, path);
  const { minLength, maxLength } = n.rules.constraints;
  if (maxLength === 0 || t.maxItems === 0) return [];
  const count = Math.max(1, minLength ?? 1, t.minItems ?? 1);
  const items: Json[] = [];
  for (let i = 0; i < count; i++) {
    const item = t.item;
    if (item.kind === 'scalar') {
      const e = n.rules.enumItems[i % Math.max(1, n.rules.enumItems.length)]?.value;
      items.push(e !== undefined ? (item.scalar === 'integer' || item.scalar === 'number' ? Number(e) : e) : scalarValue({ ...n, rules: { ...n.rules, enumItems: [] } }, item.scalar, [...path, String(i)]));
    } else if (n.children.length > 0) {
      items.push(synthesizeObject(n.children, [...path, String(i)]));
    } else if (item.kind === 'object') {
      items.push({ key: 'value' });
    } else if (item.kind === 'array' || item.kind === 'map' || item.kind === 'union') {
      items.push(plainValue(item, n, [...path, String(i)]));
    } else {
      items.push('value');
    }
  }
  return items;
}

export function synthesizeObject(children: FieldNode[], path: string[]): JsonObject {
  const out: JsonObject = {};
  for (const c of children) out[c.name] = synthesizeValue(c, [...path, c.name]);
  return out;
}

export function synthesizeExample(kind: EventKind, eventType: string, tree: FieldNode[]): JsonObject {
  const eventNode = tree.find((n) => n.name === 'event');
  const body = synthesizeObject(eventNode?.children ?? [], ['event']);
  if (kind === 'p1') {
    const ev: JsonObject = { ...body, type: eventType };
    return {
      uuid: hex(`uuid:${eventType}`, 32),
      token: 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV',
      ts: '1700000000.123456',
      type: 'event_callback',
      event: ev,
    };
  }
  return {
    schema: '2.0',
    header: {
      event_id: hex(`event_id:${eventType}`, 32),
      event_type: eventType,
      create_time: '1700000000000',
      token: 'rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV',
      app_id: 'cli_9f5343c580712544',
      tenant_key: '2ca1d211f64f6438',
    },
    event: body,
  };
}
