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
  /** By the credential's last 32 characters (see keyOf). */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = DEFAULT_CACHE_ENTRIES) {}

  get(token: string, now: number): VerifiedCredential | undefined {
    const key = keyOf(token);
    const hit = this.entries.get(key);
    return hit !== undefined && hit.token === token ? this.live(key, hit, now) : undefined;
  }

  /**
   * The same lookup by a whole `Authorization` value, `Bearer <credential>` exactly (the guard's
   * fast path): no slice of the header to allocate per request, and one comparison of two whole
   * strings. Any other spelling (`bearer`, two spaces) is not found and goes the full way.
   */
  getByHeader(header: string, now: number): VerifiedCredential | undefined {
    if (header.length <= BEARER_PREFIX.length) return undefined;
    const key = header.length - BEARER_PREFIX.length > KEY_CHARS ? header.slice(-KEY_CHARS) : header.slice(BEARER_PREFIX.length);
    const hit = this.entries.get(key);
    return hit !== undefined && hit.header === header ? this.live(key, hit, now) : undefined;
  }

  set(credential: VerifiedCredential): void {
    const key = keyOf(credential.token);
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      // Map iterates in insertion order: the first key is the oldest.
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { ...credential, header: BEARER_PREFIX + credential.token });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: string, hit: Entry, now: number): VerifiedCredential | undefined {
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
const KEY_CHARS = 32;

/**
 * The map key: the credential's last 32 characters — a JWT's signature, an API key's random part
 * and checksum — instead of the whole (hashing a 300-character string on every request was the
 * largest single cost of a cached check). Two credentials sharing a tail just evict each other;
 * a lookup compares the whole credential.
 */
function keyOf(token: string): string {
  return token.length > KEY_CHARS ? token.slice(-KEY_CHARS) : token;
}
