import { createHash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AFFILYNC } from '../dialects/affilync.dialect.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LOOKUP_LENGTH = 8; // public: becomes the key's id
const SECRET_LENGTH = 32; // ~190 bits
const CHECKSUM_LENGTH = 6; // CRC32 in base62
const PREFIX = AFFILYNC.apiKeyPrefix;
const KEY_SHAPE = new RegExp(`^${PREFIX}([0-9A-Za-z]{${LOOKUP_LENGTH}})([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`);

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
  const m = KEY_SHAPE.exec(key);
  if (!m) return undefined;
  const body = key.slice(0, key.length - CHECKSUM_LENGTH);
  return checksum(body) === m[3] ? keyId(m[1]) : undefined;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
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
