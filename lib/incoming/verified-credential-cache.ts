import type { Principal } from './principal.js';

/** A credential that passed every check, and until when it would keep passing them. */
export interface VerifiedCredential {
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
  private readonly entries = new Map<string, VerifiedCredential>();

  constructor(private readonly maxEntries = DEFAULT_CACHE_ENTRIES) {}

  get(token: string, now: number): VerifiedCredential | undefined {
    const hit = this.entries.get(token);
    if (hit === undefined) return undefined;
    if (now < hit.until) return hit;
    this.entries.delete(token);
    return undefined;
  }

  set(token: string, credential: VerifiedCredential): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) {
      // Map iterates in insertion order: the first key is the oldest.
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(token, credential);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
