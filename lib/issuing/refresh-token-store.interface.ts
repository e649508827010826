/** What a refresh-token family remembers: who it belongs to, so a refresh can mint the access token. */
export interface TokenFamily {
  sub: string;
  role: 'admin' | 'member';
  plan?: string;
  brandId?: string;
  /**
   * When the user authenticated (epoch s; the tokens' `auth_time`): the session ends
   * `incoming.maxSessionSec` later. Absent in families saved before sessions were limited.
   */
  authTime?: number;
  /** When the family was created by TokenService.issue() (epoch ms). Absent in families saved before sessions were listed. */
  createdAt?: number;
  /** When a token of the family was last issued: issue() or the latest refresh() (epoch ms). */
  lastUsedAt?: number;
}

/** One live family of a user, as listFamilies() returns it. */
export interface StoredFamily {
  fam: string;
  family: TokenFamily;
}

/** The claims an access token is checked against for revocation. */
export interface AccessTokenRef {
  jti: string;
  sub: string;
  /** Issue time, epoch seconds. */
  iat: number;
  /** Its refresh-token family, when it was issued with one. */
  fam?: string;
}

/**
 * State of the tokens TokenService issues: families, single-use refresh tokens, revocations.
 * Every record is kept until `expiresAt`, which TokenService sets past the last moment the
 * credential it concerns could still be accepted (its exp plus the clock tolerance, plus a
 * margin), then may be dropped: memory stays bounded, and nothing is forgotten while it still
 * matters. All methods that change state must be atomic across every replica sharing the store.
 */
export interface RefreshTokenStore {
  /**
   * Remember a family until `expiresAt` (epoch ms); called again on each rotation to extend it
   * (with a later `lastUsedAt`). Also index it under `family.sub` until the same time, for
   * listFamilies().
   */
  saveFamily(fam: string, family: TokenFamily, expiresAt: number): Promise<void>;
  /**
   * The user's families that are neither expired nor revoked (as last saved), in any order
   * (TokenService.listSessions sorts). The per-user index must stay bounded: drop members whose
   * family has expired (a Redis sorted set scored by `expiresAt` does), and let the index itself
   * expire with its longest-lived family.
   */
  listFamilies(sub: string): Promise<StoredFamily[]>;
  /**
   * Revoke family `fam` (as revokeFamily does) only if it is `sub`'s and live; resolves true when
   * this call revoked it, false when the family is unknown, expired, another user's, or already
   * revoked. Atomic: of two simultaneous calls, one gets true.
   */
  revokeSession(sub: string, fam: string, expiresAt: number): Promise<boolean>;
  /** The family, or undefined if unknown, expired or revoked. */
  getFamily(fam: string): Promise<TokenFamily | undefined>;
  /** Kill a family: its refresh tokens and the access tokens issued with it. */
  revokeFamily(fam: string, expiresAt: number): Promise<void>;
  /**
   * Mark a single-use token used (a refresh token, or an access token being rotated), by id.
   * Resolves true for the one call that used it first, false for every other (a replay):
   * atomically, even for simultaneous calls on different replicas.
   */
  markUsed(id: string, expiresAt: number): Promise<boolean>;
  /** Refuse the access token with this `jti` until `expiresAt` (epoch ms). */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  /** Refuse every token of `sub` issued at or before `issuedUpTo` (epoch s), until `expiresAt`. */
  revokeUser(sub: string, issuedUpTo: number, expiresAt: number): Promise<void>;
  /** Whether `sub` was revoked (revokeUser) at or after `iat` (epoch s). */
  isUserRevoked(sub: string, iat: number): Promise<boolean>;
  /** Whether an access token was revoked by jti, by family or by user. */
  isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean>;
}

/** Injection token for the RefreshTokenStore (same name as the interface; one token for the ESM and CommonJS builds). */
export const RefreshTokenStore = Symbol.for('nest-provider-auth:RefreshTokenStore');
