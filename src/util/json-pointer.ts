/** JSON Pointer (RFC 6901) tokens and lookups, for the runtime, the CLI and codegen alike. */

/** A property name as a pointer token (`~` → `~0`, `/` → `~1`). */
export function escapeToken(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}

/** A pointer token as the property name it stands for. */
export function unescapeToken(token: string): string {
  return token.includes('~') ? token.replace(/~1/g, '/').replace(/~0/g, '~') : token;
}

/** The value at `pointer` in `root`, or undefined where the path leaves the document. */
export function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[unescapeToken(raw)];
  }
  return cur;
}
