import { ExpiringSet } from './expiring-set.js';
import type { RefreshTokenStore } from './refresh-token-store.interface.js';

/** The default RefreshTokenStore: one process. */
export class InMemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly revokedAccess = new ExpiringSet();

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    this.revokedAccess.add(jti, expiresAt);
  }

  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return this.revokedAccess.has(jti);
  }
}
