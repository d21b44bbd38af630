/** Description cells → plain description, enum values, constraints, field permissions. */

export interface EnumItem {
  value: string;
  label: string;
}

export interface Constraints {
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

export interface FieldRules {
  description: string;
  enumItems: EnumItem[];
  /** The listed values are documentation, not a closed set (bit flags, contradicted by the example). */
  enumOpen?: boolean;
  constraints: Constraints;
  fieldPermissions: string[];
  /** Non-fatal oddities (e.g. an enum list that could not be read). */
  notes: string[];
}

const ENUM_MARKER = /(?:可选值有|可能值有)\s*[:：]/;
const RULES_MARKER = /数据校验规则\s*[:：]/;
const PERM_MARKER = /字段权限要求(?:（满足任一）|\(满足任一\))?\s*[:：]/;
const SCOPE_RE = /[a-z][a-z0-9_]*:[A-Za-z0-9_.:-]*[A-Za-z0-9_]/g;

/** Markdown cell text → one readable line. */
export function cleanText(s: string): string {
  return s
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*/g, '')
    .replace(/==([^=]+)==/g, '$1')
    .replace(/`/g, '')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/&nbsp;/g, ' ')
    .replace(/\\([[\]\-_*|])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export function extractScopes(s: string): string[] {
  const out: string[] = [];
  for (const m of s.replace(/`/g, ' ').matchAll(SCOPE_RE)) {
    const scope = m[0];
    // "https:" style matches or prose "例如:" are not scopes.
    if (scope.startsWith('http') || !scope.includes(':')) continue;
    if (!out.includes(scope)) out.push(scope);
  }
  return out;
}

interface Section {
  kind: 'enum' | 'rules' | 'perm';
  start: number;
  bodyStart: number;
}

function findSections(text: string): Section[] {
  const found: Section[] = [];
  const markers: Array<[Section['kind'], RegExp]> = [
    ['enum', ENUM_MARKER],
    ['rules', RULES_MARKER],
    ['perm', PERM_MARKER],
  ];
  for (const [kind, re] of markers) {
    const g = new RegExp(re.source, 'g');
    for (const m of text.matchAll(g)) {
      if (m.index === undefined) continue;
      found.push({ kind, start: m.index, bodyStart: m.index + m[0].length });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Normalises the cell: `**x**` marks gone, `<br>` → newline. */
function normalise(raw: string): string {
  return raw.replace(/\*\*/g, '').replace(/<br\s*\/?>/gi, '\n').replace(/&nbsp;/g, ' ');
}

/** Splits an enum body into items; lines after the list are returned as trailing text. */
function parseEnumBody(body: string): { items: EnumItem[]; trailing: string; ok: boolean } {
  const lines = body.split('\n');
  const listLines: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = (lines[i] ?? '').trim();
    if (l === '' && listLines.length === 0) { i++; continue; }
    if (l.startsWith('-') || l.startsWith('* ') || (listLines.length === 0 && l !== '')) { listLines.push(l); i++; continue; }
    break;
  }
  const trailing = lines.slice(i).join(' ');
  const list = ' ' + listLines.join(' ').replace(/(^|\s)\*\s+/g, '$1- ');
  const items: EnumItem[] = [];
  // Backticked values may contain spaces ("`Revoked by user action.`"): item starts are "- `v`:".
  const ticked = [...list.matchAll(/(?:^|\s)-\s*`([^`]+)`\s*[:：]/g)];
  if (ticked.length > 0) {
    ticked.forEach((m, k) => {
      const start = (m.index ?? 0) + m[0].length;
      const end = ticked[k + 1]?.index ?? list.length;
      items.push({ value: (m[1] ?? '').trim(), label: cleanText(list.slice(start, end)) });
    });
    return { items, trailing, ok: items.every((it) => it.value !== '') };
  }
  const parts = list.split(/\s-\s*(?=[^\s`:：]+\s*[:：])/).map((p) => p.trim()).filter((p) => p !== '');
  let ok = parts.length > 0;
  for (const part of parts) {
    const m = /^-?\s*([^`:：\s]+)\s*[:：]\s*([\s\S]*)$/.exec(part);
    if (!m || m[1] === undefined) { ok = false; continue; }
    const value = m[1].trim();
    if (!/^[A-Za-z0-9_.+\-/@]+$/.test(value)) { ok = false; continue; }
    items.push({ value, label: cleanText(m[2] ?? '') });
  }
  return { items, trailing, ok: ok && items.length > 0 };
}

function num(s: string): number | null {
  const t = s.replace(/`/g, '').trim();
  if (!/^-?\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

function parseRulesBody(body: string, notes: string[]): Constraints {
  const c: Constraints = {};
  const text = body.replace(/`/g, '');
  const items = text.split(/(?:^|\s|\n)-\s+/).map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    let m: RegExpExecArray | null;
    if ((m = /^长度范围\s*[:：]\s*(-?\d+)\s*[~～\-]\s*(-?\d+)/.exec(item))) {
      c.minLength = Number(m[1]);
      c.maxLength = Number(m[2]);
    } else if ((m = /^取值范围\s*[:：]\s*(-?\d+(?:\.\d+)?)\s*[~～]\s*(-?\d+(?:\.\d+)?)/.exec(item))) {
      c.minimum = Number(m[1]);
      c.maximum = Number(m[2]);
    } else if ((m = /^最小长度\s*[:：]\s*(\d+)/.exec(item))) {
      c.minLength = Number(m[1]);
    } else if ((m = /^最大长度\s*[:：]\s*(\d+)/.exec(item))) {
      c.maxLength = Number(m[1]);
    } else if ((m = /^最小值\s*[:：]\s*(-?\d+(?:\.\d+)?)/.exec(item))) {
      c.minimum = Number(m[1]);
    } else if ((m = /^最大值\s*[:：]\s*(-?\d+(?:\.\d+)?)/.exec(item))) {
      c.maximum = Number(m[1]);
    } else if ((m = /^正则校验\s*[:：]\s*(\S+)/.exec(item))) {
      c.pattern = m[1];
    } else {
      notes.push(`unrecognised validation rule "${item}"`);
    }
  }
  return c;
}

export function parseDescription(raw: string): FieldRules {
  const text = normalise(raw);
  const sections = findSections(text);
  const notes: string[] = [];
  const head = sections.length > 0 ? text.slice(0, sections[0]?.start) : text;
  const descParts = [head];
  let enumItems: EnumItem[] = [];
  let constraints: Constraints = {};
  const fieldPermissions: string[] = [];
  sections.forEach((sec, idx) => {
    const end = sections[idx + 1]?.start ?? text.length;
    const body = text.slice(sec.bodyStart, end);
    if (sec.kind === 'enum') {
      const parsed = parseEnumBody(body);
      if (parsed.ok) enumItems = parsed.items;
      else notes.push(`could not read the enum list "${cleanText(body).slice(0, 80)}"`);
      if (parsed.trailing.trim() !== '') descParts.push(parsed.trailing);
    } else if (sec.kind === 'rules') {
      constraints = { ...constraints, ...parseRulesBody(body, notes) };
    } else {
      for (const s of extractScopes(body)) if (!fieldPermissions.includes(s)) fieldPermissions.push(s);
    }
  });
  return {
    description: cleanText(descParts.join(' ')).replace(/[\s。，,;；]+$/u, (m) => (m.includes('。') ? '。' : '')),
    enumItems,
    constraints,
    fieldPermissions,
    notes,
  };
}
