/** A reference page (Markdown or the plain-text variant) → its parts, with line numbers. */

export interface Problem {
  page: string;
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface TableRow {
  line: number;
  cells: string[];
  raw: string;
}

export interface FieldTable {
  line: number;
  heading: string;
  headingLine: number;
  nameCol: number;
  typeCol: number;
  descCol: number;
  rows: TableRow[];
}

export interface ExampleBlock {
  line: number;
  heading: string;
  /** null when the page says the example was omitted. */
  text: string | null;
}

export interface ParsedPage {
  path: string;
  variant: 'markdown' | 'plain';
  frontMatter: Record<string, string>;
  title: string;
  description: string;
  eventTypes: string[];
  appTypes: string[];
  permissions: string[];
  fieldPermissions: string[];
  tables: FieldTable[];
  examples: ExampleBlock[];
  problems: Problem[];
}

/** Splits a table line on unescaped pipes. */
export function splitCells(line: string, variant: 'markdown' | 'plain'): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  let inTicks = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && s[i + 1] === '|') { cur += '|'; i++; continue; }
    if (ch === '`') inTicks = !inTicks;
    if (ch === '|' && !(inTicks && variant === 'markdown')) { cells.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

function isSeparator(line: string): boolean {
  return /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line.trim());
}

function headerColumns(cells: string[]): { nameCol: number; typeCol: number; descCol: number } | null {
  const norm = cells.map((c) => c.replace(/\*\*/g, '').trim());
  const nameCol = norm.findIndex((c) => c === '名称' || c === '字段' || c === '参数' || c === '字段名');
  const typeCol = norm.findIndex((c) => c === '类型' || c === '数据类型');
  const descCol = norm.findIndex((c) => c === '描述' || c === '说明');
  if (nameCol < 0 || typeCol < 0 || descCol < 0) return null;
  return { nameCol, typeCol, descCol };
}

function parseFrontMatter(lines: string[]): { fm: Record<string, string>; end: number } {
  const fm: Record<string, string> = {};
  if ((lines[0] ?? '').trim() !== '---') return { fm, end: 0 };
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.trim() === '---') return { fm, end: i + 1 };
    const m = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(l);
    if (m && m[1] !== undefined) fm[m[1]] = (m[2] ?? '').replace(/^"(.*)"$/, '$1');
  }
  return { fm, end: 0 };
}

/** Extracts a balanced JSON object starting at the first `{` at or after (line, col). */
function balancedFrom(lines: string[], startLine: number): { text: string; line: number } | null {
  let depth = 0;
  let inStr = false;
  let esc = false;
  let out = '';
  let began = -1;
  for (let i = startLine; i < lines.length; i++) {
    const l = lines[i] ?? '';
    for (let j = 0; j < l.length; j++) {
      const ch = l[j] ?? '';
      if (began < 0) {
        if (ch === '{') { began = i; depth = 1; out = '{'; }
        continue;
      }
      out += ch;
      if (inStr) {
        if (esc) esc = false;
        else if (ch === '\\') esc = true;
        else if (ch === '"') inStr = false;
        continue;
      }
      if (ch === '"') inStr = true;
      else if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) return { text: out, line: began + 1 };
      }
    }
    if (began >= 0) out += '\n';
  }
  return null;
}

const OMITTED = /example payload omitted/i;

export function parsePage(text: string, path: string): ParsedPage {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const { fm, end: bodyStart } = parseFrontMatter(lines);
  // Markdown pages open with front matter or a "# " title; the plain variant with a bare title line.
  const firstLine = (lines.find((l) => l.trim() !== '') ?? '').trim();
  const variant: 'markdown' | 'plain' = bodyStart > 0 || firstLine.startsWith('#') ? 'markdown' : 'plain';
  const problems: Problem[] = [];
  const page: ParsedPage = {
    path, variant, frontMatter: fm, title: fm['title'] ?? '', description: '',
    eventTypes: [], appTypes: [], permissions: [], fieldPermissions: [], tables: [], examples: [], problems,
  };

  let heading = '';
  let headingLine = 0;
  let titleFound = page.title !== '';
  let descFound = false;
  let i = bodyStart;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    const lineNo = i + 1;

    // Headings: "## 事件体" in Markdown; in the plain variant, bare section words.
    const h = /^(#{1,6})\s+(.*)$/.exec(trimmed);
    const plainHeading = variant === 'plain' && /^(事件|事件体|事件体示例|回调示例.*|回调结构.*|示例)$/.test(trimmed);
    if (h || plainHeading) {
      const htext = h ? (h[2] ?? '').trim() : trimmed;
      if (h && h[1] === '#' && !titleFound) { page.title = htext; titleFound = true; }
      heading = htext;
      headingLine = lineNo;
      i++;
      continue;
    }
    if (variant === 'plain' && !titleFound && trimmed !== '') {
      page.title = trimmed; titleFound = true; i++; continue;
    }
    if (!descFound && titleFound && trimmed !== '' && !trimmed.startsWith('|') && !trimmed.startsWith('>') && !trimmed.startsWith('```') && !trimmed.startsWith('#') && !trimmed.startsWith('-') && !trimmed.startsWith('*') && !trimmed.startsWith('!') && !/^最后更新/.test(trimmed)) {
      page.description = trimmed;
      descFound = true;
    }

    // Tables: header row followed by a separator row.
    if (trimmed.includes('|') && isSeparator(lines[i + 1] ?? '')) {
      const header = splitCells(trimmed, variant);
      const cols = headerColumns(header);
      const first = (header[0] ?? '').trim();
      let j = i + 2;
      const rows: TableRow[] = [];
      while (j < lines.length) {
        const l = lines[j] ?? '';
        const t = l.trim();
        if (t === '') break;
        if (variant === 'markdown' && !t.startsWith('|')) break;
        if (variant === 'plain' && !t.includes('|')) break;
        rows.push({ line: j + 1, cells: splitCells(t, variant), raw: l });
        j++;
      }
      if (first === '项目') {
        for (const r of rows) {
          const key = (r.cells[0] ?? '').replace(/\s+/g, ' ');
          const val = r.cells.slice(1).join(' | ');
          if (key.startsWith('事件类型')) page.eventTypes = val.split(/[,，\s]+/).map((s) => s.replace(/`/g, '').trim()).filter((s) => /^[\w.]+$/.test(s));
          else if (key.startsWith('支持的应用类型')) page.appTypes = val.replace(/`/g, '').split(/[,，\s]+/).map((s) => s.trim()).filter((s) => s !== '' && s !== '无');
          else if (key.startsWith('权限要求')) page.permissions = scopesOf(val);
          else if (key.startsWith('字段权限要求')) page.fieldPermissions = scopesOf(val);
        }
      } else if (cols) {
        page.tables.push({ line: lineNo, heading, headingLine, ...cols, rows });
      }
      i = j;
      continue;
    }

    // Examples: a fence (Markdown) or a bare JSON object (plain) after a "示例" heading or bold line.
    const isExampleHeading = /示例/.test(heading) && !/示例代码/.test(heading);
    const boldExample = /^\*\*.*(示例|结构).*\*\*$/.test(trimmed);
    if (boldExample) { heading = trimmed.replace(/\*\*/g, ''); headingLine = lineNo; i++; continue; }
    if (isExampleHeading && trimmed.startsWith('```')) {
      let j = i + 1;
      const body: string[] = [];
      while (j < lines.length && !(lines[j] ?? '').trim().startsWith('```')) { body.push(lines[j] ?? ''); j++; }
      const content = body.join('\n').trim();
      page.examples.push({ line: i + 2, heading, text: OMITTED.test(content) || content === '' ? null : content });
      heading = '';
      i = j + 1;
      continue;
    }
    if (variant === 'plain' && isExampleHeading && (trimmed === 'json' || trimmed.startsWith('{'))) {
      const b = balancedFrom(lines, i);
      if (b) {
        page.examples.push({ line: b.line, heading, text: b.text });
        heading = '';
        i = b.line - 1 + b.text.split('\n').length;
        continue;
      }
    }
    i++;
  }
  return page;
}

function scopesOf(val: string): string[] {
  const out: string[] = [];
  const re = /[a-z][a-z0-9_]*:[A-Za-z0-9_.:-]*[A-Za-z0-9_]/g;
  for (const m of val.replace(/`/g, ' ').matchAll(re)) {
    if (m[0].startsWith('http')) continue;
    if (!out.includes(m[0])) out.push(m[0]);
  }
  return out;
}
