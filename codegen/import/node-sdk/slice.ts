/**
 * Locating top-level interfaces in a large declaration file by text, so that only they are parsed
 * (ts-morph on the SDK's whole 17 MB index.d.ts takes seconds; the two handler interfaces are ~1%).
 */

export interface InterfaceSlice {
  name: string;
  /** The interface declaration text, from `interface` to its closing brace. */
  text: string;
}

/** Index just past the `}` matching the `{` at `open`; skips comments and string/template literals. */
export function matchBrace(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      i += 1;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  throw new Error(`unbalanced braces from offset ${open}`);
}

/** The declarations of the named top-level interfaces, in the order asked; a name not found is an error. */
export function sliceInterfaces(text: string, names: readonly string[]): InterfaceSlice[] {
  return names.map((name) => {
    const re = new RegExp(`^(?:export\\s+)?(?:declare\\s+)?interface\\s+${name}\\b[^{]*\\{`, 'm');
    const m = re.exec(text);
    if (!m) throw new Error(`interface ${name} not found`);
    const open = m.index + m[0].length - 1;
    return { name, text: text.slice(m.index, matchBrace(text, open)) };
  });
}
