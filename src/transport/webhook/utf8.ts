import { Buffer, isAscii, isUtf8, transcode } from 'node:buffer';

const toBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

let fastNonAscii = typeof transcode === 'function';

/**
 * Strict UTF-8 to string, or undefined when the bytes are not valid UTF-8 (never U+FFFD).
 *
 * Speed matters here: decoding is most of the cost of receiving a delivery. ASCII bodies (every
 * encrypted wrapper, most events) take Buffer#toString's one-byte fast path. For others, V8's
 * UTF-8 decoder is slow on CJK text (~2.5 ns/byte); converting to UTF-16 with `transcode` and
 * reading that back is about 4x faster on a typical Chinese message. Validity is checked first
 * with `isUtf8` (simdutf), so the conversion never sees a malformed sequence.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  const buf = toBuffer(bytes);
  let text: string;
  if (isAscii(buf)) text = buf.toString('latin1');
  else if (!isUtf8(buf)) return undefined;
  else if (fastNonAscii) {
    try {
      text = transcode(buf, 'utf8', 'ucs2').toString('ucs2');
    } catch {
      // A runtime without ICU: use the plain decoder from now on.
      fastNonAscii = false;
      text = buf.toString('utf8');
    }
  } else text = buf.toString('utf8');
  // A leading byte-order mark is not part of the JSON text.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
