/** A credential's tokens as every replica sees them. */
export interface StoredToken {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms when the access token stops working. */
  expiresAt: number;
  /** Epoch ms from which callers renew it (early, with jitter), chosen by whoever obtained it. */
  refreshAt: number;
  /** Epoch ms when the refresh token stops working, when known. */
  refreshExpiresAt?: number;
}

export interface VersionedToken {
  token: StoredToken;
  /** Grows with every write; 0 is never a stored version (it means "absent"). */
  version: number;
}

/**
 * Where the outgoing clients keep their tokens. Keys are derived from provider, base URL and a
 * hash of the identity; they never contain a secret. Swap in a shared store (Redis) when several
 * replicas use one account, so they do not knock each other's tokens out.
 */
export interface TokenStore {
  get(key: string): Promise<VersionedToken | undefined>;
  /**
   * Write `token` only if the stored version is still `expectedVersion` (0: nothing stored).
   * Resolves to the new version, or undefined when someone else wrote first.
   */
  compareAndSet(key: string, token: StoredToken, expectedVersion: number): Promise<number | undefined>;
  /** Run `fn` while holding the credential's lock; the lock expires after `ttlMs` if its holder dies. */
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Optional: false while the store is known to be unreachable. A client reuses the token it last
   * read only while this is not false, so that with the store down every call reports it
   * (TokenStoreUnavailableError) instead of some calls working and others not.
   */
  isAvailable?(): boolean;
}

/** Injection token for the TokenStore (same name as the interface, as @nestjs/throttler does; Symbol.for: one token for the ESM and CommonJS builds). */
export const TokenStore = Symbol.for('nest-provider-auth:TokenStore');
