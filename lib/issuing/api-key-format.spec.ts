import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { generateApiKey, hashApiKey, parseApiKey } from './api-key-format.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The format as first written, kept here as the reference: a capturing pattern and the checksum
 * spelled out as a string and compared with the key's last six characters.
 */
function referenceParse(key: string): string | undefined {
  const m = /^afk_live_([0-9A-Za-z]{8})([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/.exec(key);
  if (!m) return undefined;
  return spell(crc32(key.slice(0, key.length - 6))) === m[3] ? `key_${m[1]}` : undefined;
}

/** `key` with the character at `index` replaced by `char`. */
const withCharAt = (key: string, index: number, char: string) => key.slice(0, index) + char + key.slice(index + 1);

describe('API key format', () => {
  const keys = Array.from({ length: 200 }, () => generateApiKey());

  it('parses every generated key to its id', () => {
    for (const { id, key } of keys) {
      expect(key).toMatch(/^afk_live_[0-9A-Za-z]{46}$/);
      expect(parseApiKey(key)).toBe(id);
      expect(id).toBe(`key_${key.slice(9, 17)}`);
    }
  });

  it('refuses every other checksum of a key, exactly as the reference does', () => {
    let refused = 0;
    for (const { key } of keys.slice(0, 20)) {
      for (let index = key.length - 6; index < key.length; index++) {
        for (const char of ALPHABET) {
          if (char === key[index]) continue;
          const changed = withCharAt(key, index, char);
          expect(parseApiKey(changed)).toBe(referenceParse(changed));
          if (parseApiKey(changed) === undefined) refused++;
        }
      }
    }
    // 20 keys × 6 positions × 61 other digits: a CRC has one spelling, so none of them passes.
    expect(refused).toBe(20 * 6 * 61);
  });

  it('refuses a checksum that spells a number beyond 32 bits, and one of leading zeros', () => {
    const body = keys[0].key.slice(0, -6);
    // The largest six digits, 2^32 (the first value no CRC-32 has), and zero.
    for (const checksum of ['zzzzzz', spell(2 ** 32), '000000']) {
      const key = body + checksum;
      expect(parseApiKey(key)).toBe(referenceParse(key));
    }
    // 62^6 − 1 is far above any CRC-32; its numeric reading must not wrap onto a real one.
    expect(parseApiKey(`${body}zzzzzz`)).toBeUndefined();
  });

  it('agrees with the reference on keys whose checksum starts with zeros', () => {
    // A CRC below 62^5 is spelled with a leading 0; find bodies that give one.
    let found = 0;
    for (let i = 0; found < 3 && i < 200_000; i++) {
      const body = `afk_live_${String(i).padStart(8, '0')}${'a'.repeat(32)}`;
      if (crc32(body) >= 62 ** 5) continue;
      found++;
      const key = body + spell(crc32(body));
      expect(key.slice(-6).startsWith('0')).toBe(true);
      expect(parseApiKey(key)).toBe(`key_${String(i).padStart(8, '0')}`);
      expect(referenceParse(key)).toBe(parseApiKey(key));
    }
    expect(found).toBe(3);
  });

  it.each([
    ['empty', ''],
    ['the prefix only', 'afk_live_'],
    ['a test-mode prefix', () => `afk_test_${keys[1].key.slice(9)}`],
    ['one character short', () => keys[1].key.slice(0, -1)],
    ['one character long', () => `${keys[1].key}0`],
    ['a trailing newline', () => `${keys[1].key}\n`],
    ['a leading space', () => ` ${keys[1].key}`],
    ['a character outside base62', () => withCharAt(keys[1].key, 20, '-')],
    ['a non-ASCII digit', () => withCharAt(keys[1].key, 20, '٣')],
  ])('refuses %s', (_name, make) => {
    const key = typeof make === 'function' ? make() : make;
    expect(parseApiKey(key)).toBeUndefined();
    expect(referenceParse(key)).toBeUndefined();
  });

  it('hashes a key to the hex SHA-256 the stores hold', () => {
    for (const { key } of keys.slice(0, 10)) expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
  });
});

/** `n` in six base62 digits, most significant first. */
function spell(n: number): string {
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}
