/** The strict UTF-8 decoder of bodies (and decrypted plaintexts). */
import { describe, expect, it } from 'vitest';
import { decodeUtf8Strict } from '../../../src/transport/webhook/utf8.js';

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('decodeUtf8Strict', () => {
  it('decodes every valid string exactly (ASCII, BMP, astral, noncharacters, NUL)', () => {
    const rand = mulberry32(7);
    for (let t = 0; t < 3000; t++) {
      let s = '';
      for (let i = Math.floor(rand() * 60); i > 0; i--) {
        const r = rand();
        let cp = r < 0.4 ? Math.floor(rand() * 0x80) : r < 0.6 ? Math.floor(rand() * 0x800) : r < 0.85 ? Math.floor(rand() * 0x10000) : 0x10000 + Math.floor(rand() * 0x100000);
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffe;
        s += String.fromCodePoint(cp);
      }
      if (s.charCodeAt(0) === 0xfeff) s = 'x' + s;
      expect(decodeUtf8Strict(Buffer.from(s, 'utf8'))).toBe(s);
      expect(decodeUtf8Strict(new Uint8Array(Buffer.from(s, 'utf8')))).toBe(s);
    }
  });

  it('strips a leading byte-order mark, keeps one elsewhere', () => {
    expect(decodeUtf8Strict(Buffer.from('\ufeff{"a":"\ufeff"}'))).toBe('{"a":"\ufeff"}');
  });

  it('rejects invalid sequences instead of replacing them', () => {
    for (const bytes of [[0xff], [0xc3], [0xe4, 0xbd], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x61, 0x80, 0x62]]) {
      expect(decodeUtf8Strict(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBeUndefined();
    }
  });
});
