/**
 * Revocation state of the tokens TokenService issues. Every record is kept until the credential it
 * revokes would have expired anyway, then may be dropped: memory stays bounded, and nothing is
 * forgotten while it still matters.
 */
export interface RefreshTokenStore {
  /** Refuse the access token with this `jti` until `expiresAt` (epoch ms). */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;
}

/** Injection token for the RefreshTokenStore (same name as the interface). */
export const RefreshTokenStore = Symbol('RefreshTokenStore');
