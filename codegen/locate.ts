/**
 * Line (1-based) of the value a JSON pointer names inside a JSON text, found by scanning the text
 * (JSON.parse keeps no positions). Where the pointer goes past what the text holds, the line of
 * the deepest value reached is returned; unparseable text gives line 1.
 */
export function lineOfPointer(text: string, pointer: string): number {
  const tokens = pointer === '' ? [] : pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const skipString = () => {
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  };
  const readString = (): string => {
    const start = i;
    skipString();
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return '';
    }
  };
  /** Skips one value starting at i (after whitespace). */
  const skipValue = () => {
    ws();
    const c = text[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === '{') {
          ws();
          skipString();
          ws();
          i++; // ':'
        }
        skipValue();
        ws();
        if (text[i] === ',') i++;
        else return void i++;
      }
    }
    while (i < text.length && !',}] \t\r\n'.includes(text[i] as string)) i++;
  };
  let found = 0;
  try {
    ws();
    found = i;
    for (const token of tokens) {
      const c = text[i];
      if (c === '{') {
        i++;
        let hit = false;
        for (;;) {
          ws();
          if (text[i] === '}') break;
          const key = readString();
          ws();
          i++; // ':'
          ws();
          if (key === token) {
            hit = true;
            break;
          }
          skipValue();
          ws();
          if (text[i] === ',') i++;
        }
        if (!hit) break;
      } else if (c === '[') {
        const index = Number(token);
        if (!Number.isInteger(index)) break;
        i++;
        let n = 0;
        let hit = false;
        for (;;) {
          ws();
          if (text[i] === ']') break;
          if (n === index) {
            hit = true;
            break;
          }
          skipValue();
          ws();
          if (text[i] === ',') i++;
          n++;
        }
        if (!hit) break;
      } else break;
      found = i;
    }
  } catch {
    return 1;
  }
  return text.slice(0, found).split('\n').length;
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
