/**
 * How a credential store tells in-process caches that something was revoked, here or on another
 * replica. CredentialVerifier keeps a cache of verified credentials only while every store it asks
 * has a live feed: a cache must never outlive a revocation.
 */
export interface RevocationFeed {
  /**
   * Call `listener` after every revocation of anything this store holds, by any replica, and
   * whenever the feed goes down or comes back (events may have been missed). Returns an
   * unsubscribe function. Listeners must be cheap and must not throw.
   */
  subscribe(listener: () => void): () => void;
  /** True while every revocation is guaranteed to reach the listeners (e.g. the pub/sub link is up). */
  isLive(): boolean;
}

/** A store that can feed caches; stores without one are asked on every request. */
export interface WithRevocationFeed {
  readonly revocations?: RevocationFeed;
}

/** In-process feed: always live, listeners called synchronously. */
export class LocalRevocationFeed implements RevocationFeed {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isLive(): boolean {
    return true;
  }

  /** Tell every listener; called by the store after the revocation is recorded. */
  publish(): void {
    for (const listener of this.listeners) listener();
  }
}
