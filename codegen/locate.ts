import { elementsOf, membersOf, skipSpace } from './json-text.js';
import { unescapeToken } from '../src/util/json-pointer.js';

/**
 * Line (1-based) of the value a JSON pointer names inside a JSON text (./json-text.ts). Where the
 * pointer goes past what the text holds, or the text breaks off, the line of the deepest value
 * reached is returned.
 */
export function lineOfPointer(text: string, pointer: string): number {
  const tokens = pointer === '' ? [] : pointer.split('/').slice(1).map(unescapeToken);
  let found = skipSpace(text, 0);
  for (const token of tokens) {
    const c = text[found];
    let next: number | undefined;
    if (c === '{') next = membersOf(text, found).members.find((m) => m.key === token)?.valueStart;
    else if (c === '[' && /^(0|[1-9][0-9]*)$/.test(token)) next = elementsOf(text, found).elements[Number(token)]?.valueStart;
    if (next === undefined) break;
    found = next;
  }
  return text.slice(0, found).split('\n').length;
}

export { escapeToken as escapePointerToken } from '../src/util/json-pointer.js';
