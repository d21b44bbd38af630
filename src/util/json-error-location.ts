/**
 * Where a JSON.parse error happened, as 1-based line and column (V8 names a position; errors at
 * the end of the input name none, so they point after the last character), and the message
 * without V8's position suffix. A leaf: codegen, the runtime and the CLI all use it.
 */
export function jsonErrorLocation(text: string, err: unknown): { line: number; column: number; message: string } {
  const raw = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(raw);
  const before = pos ? text.slice(0, Number(pos[1])) : text;
  const line = before.split('\n').length;
  return { line, column: before.length - before.lastIndexOf('\n'), message: raw.replace(/ in JSON at position \d+.*$/, '') };
}
