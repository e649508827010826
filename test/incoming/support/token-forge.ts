/**
 * Hand-crafted credentials for the adversarial suite, built with node:crypto only (no JWT
 * library), so a bug shared with jsonwebtoken cannot hide itself.
 */
import { createHmac, createSign, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');
const json = (value: unknown): string => b64url(JSON.stringify(value));
export const nowSec = (): number => Math.floor(Date.now() / 1000);

type Hmac = 'sha256' | 'sha384' | 'sha512';

/** Claims of a well-formed access token; `undefined` in overrides removes a claim. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSec();
  const claims: Record<string, unknown> = { sub: `forged-${randomUUID()}`, role: 'member', typ: 'access', jti: randomUUID(), iat: now, exp: now + 600 };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete claims[k];
    else claims[k] = v;
  }
  return claims;
}

export interface ForgeOptions {
  /** Header fields; default `{ alg: 'HS256', typ: 'JWT' }`. */
  header?: Record<string, unknown>;
  /** HMAC key for the signature (utf8 string or bytes). */
  secret: string | Buffer;
  /** HMAC hash; default sha256. */
  hash?: Hmac;
  /** The header segment's bytes verbatim (instead of `header`). */
  headerBytes?: Buffer;
}

/**
 * A compact JWS whose payload segment is `payloadJson` taken verbatim (so it may be any JSON, or
 * none; bytes may be given to send something that is not UTF-8).
 */
export function forgeRaw(payloadJson: string | Buffer, opts: ForgeOptions): string {
  const header = opts.headerBytes ? b64url(opts.headerBytes) : json(opts.header ?? { alg: 'HS256', typ: 'JWT' });
  const input = `${header}.${b64url(payloadJson)}`;
  return `${input}.${hmac(input, opts.secret, opts.hash ?? 'sha256')}`;
}

/** A compact JWS of an object payload, HMAC-signed. */
export function forge(payload: Record<string, unknown>, opts: ForgeOptions): string {
  return forgeRaw(JSON.stringify(payload), opts);
}

/** A token with `alg: none`-style header and the given signature segment (default empty). */
export function unsigned(payload: Record<string, unknown>, alg: string, signature = ''): string {
  return `${json({ alg, typ: 'JWT' })}.${json(payload)}.${signature}`;
}

let rsa: KeyObject | undefined;
let ec: KeyObject | undefined;

/** Genuinely signed with an RSA key (RS256) the server has never seen. */
export function forgeRs256(payload: Record<string, unknown>): string {
  rsa ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const input = `${json({ alg: 'RS256', typ: 'JWT' })}.${json(payload)}`;
  return `${input}.${createSign('sha256').update(input).sign(rsa).toString('base64url')}`;
}

/** Genuinely signed with a P-256 key (ES256, JOSE r||s encoding). */
export function forgeEs256(payload: Record<string, unknown>): string {
  ec ??= generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const input = `${json({ alg: 'ES256', typ: 'JWT' })}.${json(payload)}`;
  return `${input}.${createSign('sha256').update(input).sign({ key: ec, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function hmac(input: string, secret: string | Buffer, hash: Hmac): string {
  return createHmac(hash, secret).update(input).digest('base64url');
}

/** The token's three segments. */
export function parts(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h, p, s];
}

/** The decoded payload of a token (no verification). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Replace one segment, keeping the others (signature untouched unless it is the one replaced). */
export function withSegment(token: string, index: 0 | 1 | 2, segment: string): string {
  const p = parts(token);
  p[index] = segment;
  return p.join('.');
}

/** The same string with the character at `index` replaced by a different one of the same class. */
export function mutateAt(s: string, index: number): string {
  const c = s[index];
  const swap = /[0-9]/.test(c) ? (c === '7' ? '3' : '7') : /[a-z]/.test(c) ? (c === 'q' ? 'x' : 'q') : c === 'Q' ? 'X' : 'Q';
  return `${s.slice(0, index)}${swap}${s.slice(index + 1)}`;
}

/**
 * An HS256 signature segment that decodes to the same 32 bytes but is spelled differently: the
 * last of its 43 characters carries 2 unused bits.
 */
export function nonCanonicalSignature(token: string): string {
  const sig = parts(token)[2];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(sig[sig.length - 1]);
  const twin = alphabet[last ^ 1];
  return withSegment(token, 2, `${sig.slice(0, -1)}${twin}`);
}

// ---- API keys: afk_live_ + lookup (8) + secret (32) + CRC32 checksum (6), all base62 ----

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function base62(n: number): string {
  return Array.from(randomBytes(n), (b) => BASE62[b % 62]).join('');
}

/** The 6-character base62 CRC32 of a key body, as the key format defines it. */
export function keyChecksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** A key whose checksum is right: `prefix` + lookup + secret + checksum. */
export function checksummedKey(lookup = base62(8), secret = base62(32), prefix = 'afk_live_'): string {
  const body = `${prefix}${lookup}${secret}`;
  return `${body}${keyChecksum(body)}`;
}

/** Splits a real key into its fields. */
export function keyFields(key: string): { prefix: string; lookup: string; secret: string; checksum: string } {
  const prefix = key.slice(0, 9);
  return { prefix, lookup: key.slice(9, 17), secret: key.slice(17, 49), checksum: key.slice(49) };
}
