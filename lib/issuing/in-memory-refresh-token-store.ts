import { ExpiringMap } from './expiring-map.js';
import type { AccessTokenRef, RefreshTokenStore, TokenFamily } from './refresh-token-store.interface.js';
import { LocalRevocationFeed, type WithRevocationFeed } from './revocation-feed.js';

/** The default RefreshTokenStore: one process. Atomic because JavaScript runs one callback at a time. */
export class InMemoryRefreshTokenStore implements RefreshTokenStore, WithRevocationFeed {
  /** Tells the verifier's cache about each revocation, synchronously. */
  readonly revocations = new LocalRevocationFeed();
  private readonly families = new ExpiringMap<TokenFamily>();
  private readonly revokedFamilies = new ExpiringMap<true>();
  private readonly used = new ExpiringMap<true>();
  private readonly revokedAccess = new ExpiringMap<true>();
  private readonly userCutoffs = new ExpiringMap<number>();

  async saveFamily(fam: string, family: TokenFamily, expiresAt: number): Promise<void> {
    this.families.set(fam, { ...family }, expiresAt);
  }

  async getFamily(fam: string): Promise<TokenFamily | undefined> {
    if (this.revokedFamilies.has(fam)) return undefined;
    return this.families.get(fam);
  }

  async revokeFamily(fam: string, expiresAt: number): Promise<void> {
    this.revokedFamilies.set(fam, true, expiresAt);
    this.revocations.publish();
  }

  async markUsed(id: string, expiresAt: number): Promise<boolean> {
    return this.used.setIfAbsent(id, true, expiresAt);
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    this.revokedAccess.set(jti, true, expiresAt);
    this.revocations.publish();
  }

  async revokeUser(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    this.userCutoffs.set(sub, Math.max(issuedUpTo, this.userCutoffs.get(sub) ?? 0), expiresAt);
    this.revocations.publish();
  }

  async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    if (this.revokedAccess.has(token.jti)) return true;
    if (token.fam !== undefined && this.revokedFamilies.has(token.fam)) return true;
    return this.isUserRevoked(token.sub, token.iat);
  }

  async isUserRevoked(sub: string, iat: number): Promise<boolean> {
    const cutoff = this.userCutoffs.get(sub);
    return cutoff !== undefined && iat <= cutoff;
  }

  /** Entries held, per kind: for tests and metrics (memory is bounded by live credentials). */
  get size(): Record<'families' | 'revokedFamilies' | 'used' | 'revokedAccess' | 'userCutoffs', number> {
    return {
      families: this.families.size,
      revokedFamilies: this.revokedFamilies.size,
      used: this.used.size,
      revokedAccess: this.revokedAccess.size,
      userCutoffs: this.userCutoffs.size,
    };
  }

  /** Drop everything that has expired now. */
  sweep(now = Date.now()): void {
    for (const m of [this.families, this.revokedFamilies, this.used, this.revokedAccess, this.userCutoffs]) m.sweep(now, true);
  }
}
