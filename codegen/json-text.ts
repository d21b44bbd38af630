/**
 * A scanner over JSON text that keeps positions (JSON.parse keeps none): where each member of an
 * object and each element of an array starts and ends. Used to name the line of a JSON pointer and
 * to edit a schema file's text without reformatting it. It assumes well-formed JSON and never
 * throws: on broken text it stops at the end.
 */

export interface Member {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

export interface Element {
  valueStart: number;
  valueEnd: number;
}

export function skipSpace(t: string, i: number): number {
  while (i < t.length && (t[i] === ' ' || t[i] === '\n' || t[i] === '\r' || t[i] === '\t')) i++;
  return i;
}

/** The position after the string starting at `i` (`t[i]` is `"`). */
export function stringEnd(t: string, i: number): number {
  for (i++; i < t.length && t[i] !== '"'; i++) if (t[i] === '\\') i++;
  return i + 1;
}

function stringAt(t: string, start: number, end: number): string {
  try {
    return JSON.parse(t.slice(start, end)) as string;
  } catch {
    return '';
  }
}

/** The end of the JSON value at `i` (after leading whitespace). */
export function valueEnd(t: string, i: number): number {
  i = skipSpace(t, i);
  const c = t[i];
  if (c === '"') return stringEnd(t, i);
  if (c === '{') return membersOf(t, i).end;
  if (c === '[') return elementsOf(t, i).end;
  while (i < t.length && !/[\s,\]}]/.test(t[i] as string)) i++;
  return i;
}

/** The members of the object at `i` (`t[i]` is `{`), with their text positions. */
export function membersOf(t: string, i: number): { members: Member[]; end: number } {
  const members: Member[] = [];
  i = skipSpace(t, i + 1);
  while (i < t.length && t[i] !== '}') {
    const keyStart = i;
    const keyEnd = stringEnd(t, i);
    const key = stringAt(t, keyStart, keyEnd);
    const valueStart = skipSpace(t, skipSpace(t, keyEnd) + 1);
    const end = valueEnd(t, valueStart);
    members.push({ key, keyStart, valueStart, valueEnd: end });
    i = skipSpace(t, end);
    if (t[i] === ',') i = skipSpace(t, i + 1);
  }
  return { members, end: i + 1 };
}

/** The elements of the array at `i` (`t[i]` is `[`), with their text positions. */
export function elementsOf(t: string, i: number): { elements: Element[]; end: number } {
  const elements: Element[] = [];
  i = skipSpace(t, i + 1);
  while (i < t.length && t[i] !== ']') {
    const end = valueEnd(t, i);
    if (end <= i) break; // broken text: a stray `}` or `,`
    elements.push({ valueStart: i, valueEnd: end });
    i = skipSpace(t, end);
    if (t[i] === ',') i = skipSpace(t, i + 1);
  }
  return { elements, end: i + 1 };
}
