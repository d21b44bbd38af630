import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DecryptError } from './errors.js';
import { decodeUtf8Strict } from './utf8.js';


/** The `encrypt` field's bytes (IV || ciphertext); a DecryptError when it is not clean base64 of whole AES blocks. */
export function decodeEncrypt(encrypt: string): Uint8Array {
  // Buffer.from skips characters outside the alphabet and stops at inner padding, so a decoded
  // length short of what the text length promises means the text was not clean base64 (a regex
  // over the whole string would cost more than the AES itself).
  const padding = encrypt.endsWith('==') ? 2 : encrypt.endsWith('=') ? 1 : 0;
  const data = Buffer.from(encrypt, 'base64');
  if (encrypt.length % 4 !== 0 || data.length !== (encrypt.length / 4) * 3 - padding) throw new DecryptError('"encrypt" is not valid base64');
  if (data.length < 32 || data.length % 16 !== 0) {
    throw new DecryptError('"encrypt" is not an IV followed by whole AES blocks');
  }
  return data;
}

/** AES-256-CBC as the platform uses it (webhook.md §2): key = SHA-256(Encrypt Key), body = base64(IV || ciphertext). */
export class AesCipher {
  private readonly key: Buffer;

  constructor(encryptKey: string) {
    this.key = createHash('sha256').update(encryptKey, 'utf8').digest();
  }

  /** Decrypts the `encrypt` field to its UTF-8 plaintext; any failure is a DecryptError (400), never a crash. */
  decrypt(encrypt: string): string {
    return this.decryptData(decodeEncrypt(encrypt));
  }

  /** Decrypts IV || ciphertext bytes (already checked by {@link decodeEncrypt}). */
  decryptData(data: Uint8Array): string {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, data.subarray(0, 16));
      plain = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
    } catch {
      // CBC has no MAC: a wrong key shows up as bad PKCS#7 padding (or, rarely, as garbage below).
      throw new DecryptError('cannot decrypt "encrypt": wrong Encrypt Key or bad padding');
    }
    const text = decodeUtf8Strict(plain);
    if (text === undefined) throw new DecryptError('decrypted body is not valid UTF-8: wrong Encrypt Key?');
    return text;
  }

  /** base64(IV || AES-256-CBC(plaintext)), with a random IV unless one is given. */
  encrypt(plaintext: string | Uint8Array, iv: Uint8Array = randomBytes(16)): string {
    const cipher = createCipheriv('aes-256-cbc', this.key, iv);
    const body = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    return Buffer.concat([Buffer.from(iv), cipher.update(body), cipher.final()]).toString('base64');
  }
}

/**
 * The Encrypt Keys of a rotation (the current one first). When a signature named the key,
 * `cipher(key)` decrypts with it alone; an unsigned body (a challenge) is tried with each key in
 * order, and the first one that yields valid UTF-8 wins: with no MAC in the ciphertext
 * (webhook.md §2), a wrong key fails the PKCS#7 padding or the UTF-8 check.
 */
export class AesKeyRing {
  private readonly ciphers: ReadonlyMap<string, AesCipher>;

  constructor(readonly keys: readonly string[]) {
    if (keys.length === 0) throw new RangeError('AesKeyRing needs at least one Encrypt Key');
    this.ciphers = new Map(keys.map((k) => [k, new AesCipher(k)]));
  }

  /** The cipher of one of the ring's keys. */
  cipher(key: string): AesCipher {
    const cipher = this.ciphers.get(key);
    if (!cipher) throw new RangeError('not a key of this ring');
    return cipher;
  }

  /** Decrypts with the first key that works; a DecryptError when none does. */
  decrypt(encrypt: string): string {
    const data = decodeEncrypt(encrypt);
    let first: unknown;
    for (const cipher of this.ciphers.values()) {
      try {
        return cipher.decryptData(data);
      } catch (err) {
        first ??= err;
      }
    }
    if (this.keys.length === 1) throw first;
    throw new DecryptError(`cannot decrypt "encrypt" with any of the ${this.keys.length} configured Encrypt Keys: wrong key or bad padding`);
  }
}

export function decrypt(encrypt: string, encryptKey: string): string {
  return new AesCipher(encryptKey).decrypt(encrypt);
}

export function encrypt(plaintext: string | Uint8Array, encryptKey: string, iv?: Uint8Array): string {
  return new AesCipher(encryptKey).encrypt(plaintext, iv);
}

/**
 * The body the platform sends when an Encrypt Key is configured: compact `{"encrypt":"<base64>"}`.
 * `payload` is JSON text, or a value to serialise.
 */
export function encryptBody(payload: string | Uint8Array | object, encryptKey: string, iv?: Uint8Array): string {
  const text = typeof payload === 'string' || payload instanceof Uint8Array ? payload : JSON.stringify(payload);
  return JSON.stringify({ encrypt: encrypt(text, encryptKey, iv) });
}
