import { MalformedBodyError } from './errors.js';

// The Web-standard decoder keeps the runtime free of Node APIs; the webhook transport, which is
// Node-bound anyway, decodes its hot path faster (transport/webhook/utf8.ts) before dispatching text.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes bytes as strict UTF-8: invalid sequences are an error, never U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MalformedBodyError('body is not valid UTF-8');
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MalformedBodyError(`body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Where a JSON.parse error happened, as 1-based line and column (V8 names a position; errors at
 * the end of the input name none, so they point after the last character), and the message
 * without V8's position suffix.
 */
export function jsonErrorLocation(text: string, err: unknown): { line: number; column: number; message: string } {
  const raw = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(raw);
  const before = pos ? text.slice(0, Number(pos[1])) : text;
  const line = before.split('\n').length;
  return { line, column: before.length - before.lastIndexOf('\n'), message: raw.replace(/ in JSON at position \d+.*$/, '') };
}
