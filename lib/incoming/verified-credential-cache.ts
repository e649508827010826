import type { Principal } from './principal.js';

/** A credential that passed every check, and until when it would keep passing them. */
export interface VerifiedCredential {
  /** The whole credential: an entry is found by its tail, and must match entirely. */
  token: string;
  principal: Principal;
  /** Epoch ms from which the uncached check would refuse it (expiry); Infinity for a key that never expires. */
  until: number;
}

/** Default bound: enough for every active client of a busy replica; ~1–2 kB per entry. */
export const DEFAULT_CACHE_ENTRIES = 10_000;

/**
 * Verified credentials by their exact bearer value, so that a token seen again skips the
 * signature, the store lookups and the claim checks. Bounded (the oldest entry goes first);
 * holds only credentials that passed, so invalid ones can never fill it. CredentialVerifier
 * clears it on every revocation it hears of.
 */
export class VerifiedCredentialCache {
  /** By a number made of the credential's length and last characters (see tailKey). */
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly maxEntries = DEFAULT_CACHE_ENTRIES) {}

  get(token: string, now: number): VerifiedCredential | undefined {
    const key = tailKey(token, token.length);
    const hit = this.entries.get(key);
    return hit !== undefined && hit.token === token ? this.live(key, hit, now) : undefined;
  }

  /**
   * The same lookup by a whole `Authorization` value, `Bearer <credential>` exactly (the guard's
   * fast path): nothing allocated per request, and one comparison of two whole strings. Any other
   * spelling (`bearer`, two spaces) is not found and goes the full way.
   */
  getByHeader(header: string, now: number): VerifiedCredential | undefined {
    const length = header.length - BEARER_PREFIX.length;
    if (length <= 0) return undefined;
    const key = tailKey(header, length);
    const hit = this.entries.get(key);
    return hit !== undefined && hit.header === header ? this.live(key, hit, now) : undefined;
  }

  set(credential: VerifiedCredential): void {
    const key = tailKey(credential.token, credential.token.length);
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      // Map iterates in insertion order: the first key is the oldest.
      this.entries.delete(this.entries.keys().next().value as number);
    }
    this.entries.set(key, { ...credential, header: BEARER_PREFIX + credential.token });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: number, hit: Entry, now: number): VerifiedCredential | undefined {
    if (now < hit.until) return hit;
    this.entries.delete(key);
    return undefined;
  }
}

/** An entry also holds the exact header that carries its credential, for getByHeader(). */
interface Entry extends VerifiedCredential {
  header: string;
}

const BEARER_PREFIX = 'Bearer ';
/** How many characters from the end go into a key: a JWT's signature, an API key's checksum. */
const TAIL_CHARS = 6;

/**
 * The map key of a credential of `length` characters that ends `value` (the credential itself, or
 * its `Bearer ` header): its length and last six characters folded into a small integer. Hashing
 * the whole 300-character token on every request was once the largest single cost of a cached
 * check, and a slice of its tail still allocated a string and hashed it; an integer key needs
 * neither. The tail of a JWT is its HMAC and that of an API key random, so keys of distinct
 * credentials rarely meet; when they do, the two just evict each other, since a lookup always
 * compares the whole credential.
 */
function tailKey(value: string, length: number): number {
  let key = length;
  const end = value.length;
  for (let i = Math.max(end - TAIL_CHARS, end - length); i < end; i++) key = (Math.imul(key, 31) + value.charCodeAt(i)) | 0;
  // Small integers (31 bits) are what V8 hashes fastest.
  return key & 0x3fffffff;
}
