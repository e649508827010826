import { ExpiringMap } from './expiring-map.js';
import type { AccessTokenRef, RefreshTokenStore, StoredFamily, TokenFamily } from './refresh-token-store.interface.js';
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
  /**
   * Each user's families (fam → until), for listFamilies(). A user's entry lives as long as their
   * longest-lived family; members whose family has expired are dropped whenever the user is touched.
   */
  private readonly sessions = new ExpiringMap<Map<string, number>>();

  async saveFamily(fam: string, family: TokenFamily, expiresAt: number): Promise<void> {
    const now = Date.now();
    this.families.set(fam, { ...family }, expiresAt, now);
    const mine = this.liveSessions(family.sub, now) ?? new Map<string, number>();
    mine.set(fam, expiresAt);
    let until = expiresAt;
    for (const t of mine.values()) if (t > until) until = t;
    this.sessions.set(family.sub, mine, until, now);
  }

  async listFamilies(sub: string): Promise<StoredFamily[]> {
    const out: StoredFamily[] = [];
    for (const fam of this.liveSessions(sub)?.keys() ?? []) {
      const family = this.families.get(fam);
      if (family && family.sub === sub && !this.revokedFamilies.has(fam)) out.push({ fam, family: { ...family } });
    }
    return out;
  }

  async revokeSession(sub: string, fam: string, expiresAt: number): Promise<boolean> {
    // No await between the check and the revocation: atomic.
    const family = this.families.get(fam);
    if (!family || family.sub !== sub || this.revokedFamilies.has(fam)) return false;
    this.sessions.get(sub)?.delete(fam);
    await this.revokeFamily(fam, expiresAt);
    return true;
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

  /** Users and families in the per-user index of listFamilies(): for tests (bounded like the rest). */
  get sessionIndexSize(): { users: number; families: number } {
    let families = 0;
    for (const sub of this.sessions.keys()) families += this.sessions.get(sub)?.size ?? 0;
    return { users: this.sessions.size, families };
  }

  /** Drop everything that has expired now. */
  sweep(now = Date.now()): void {
    for (const m of [this.families, this.revokedFamilies, this.used, this.revokedAccess, this.userCutoffs, this.sessions]) m.sweep(now, true);
    for (const sub of this.sessions.keys()) this.liveSessions(sub, now);
  }

  /** The user's index entry with expired members dropped; undefined when there is none. */
  private liveSessions(sub: string, now = Date.now()): Map<string, number> | undefined {
    const mine = this.sessions.get(sub, now);
    if (mine) for (const [fam, until] of mine) if (until <= now) mine.delete(fam);
    return mine;
  }
}
