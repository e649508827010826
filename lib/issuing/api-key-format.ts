import { hash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AFFILYNC } from '../dialects/affilync.dialect.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOOKUP_LENGTH = 8; // public: becomes the key's id
const SECRET_LENGTH = 32; // ~190 bits
const CHECKSUM_LENGTH = 6; // CRC32 in base62
const PREFIX = AFFILYNC.apiKeyPrefix;
const KEY_LENGTH = PREFIX.length + LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
const KEY_SHAPE = new RegExp(`^${PREFIX}[0-9A-Za-z]{${LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH}}$`);

/** `afk_live_` + lookup (8) + secret (32) + CRC32 checksum (6), all base62. */
export function generateApiKey(): { id: string; key: string } {
  const random = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const lookup = random(LOOKUP_LENGTH);
  const body = `${PREFIX}${lookup}${random(SECRET_LENGTH)}`;
  return { id: keyId(lookup), key: `${body}${checksum(body)}` };
}

/**
 * The key's id if it is well formed and its checksum matches, else undefined. Cheap and local:
 * typos and forgeries are turned away before any store is asked.
 */
export function parseApiKey(key: string): string | undefined {
  if (!KEY_SHAPE.test(key)) return undefined;
  const bodyLength = KEY_LENGTH - CHECKSUM_LENGTH;
  // The checksum read as the number it spells, compared with the CRC as a number: no string is
  // built per key. Base62 in six digits is one-to-one below 62^6 (> 2^32), so this accepts
  // exactly the keys whose last six characters checksum() would have written.
  let given = 0;
  for (let i = bodyLength; i < KEY_LENGTH; i++) given = given * 62 + digit62(key.charCodeAt(i));
  if (given !== crc32(key.slice(0, bodyLength))) return undefined;
  return keyId(key.slice(PREFIX.length, PREFIX.length + LOOKUP_LENGTH));
}

/** SHA-256 of the key in hex, what a store holds instead of the key. */
export function hashApiKey(key: string): string {
  // The one-shot form: half the time of createHash().update().digest() for a 55-character key.
  return hash('sha256', key, 'hex');
}

function keyId(lookup: string): string {
  return `key_${lookup}`;
}

function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** The value of one base62 digit (the caller has checked that it is one). */
function digit62(code: number): number {
  if (code <= 57) return code - 48; // 0-9
  if (code <= 90) return code - 55; // A-Z
  return code - 61; // a-z
}
