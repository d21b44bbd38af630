/**
 * Best-effort line of a JSON pointer inside a JSON text: follows the pointer's keys in order.
 * Used only to make lint messages clickable; a miss falls back to line 1.
 */
export function lineOfPointer(text: string, pointer: string): number {
  let pos = 0;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) continue;
    const at = text.indexOf(JSON.stringify(key) + ':', pos);
    const spaced = at >= 0 ? at : text.indexOf(JSON.stringify(key) + ' :', pos);
    if (spaced < 0) break;
    pos = spaced;
  }
  return text.slice(0, pos).split('\n').length;
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
