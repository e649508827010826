import type { RevocationFeed } from '../issuing/revocation-feed.js';
import type { AnyRedisClient, RedisConnection } from './redis-connection.js';

/**
 * Revocations announced to every replica over Redis pub/sub, on a connection of its own.
 * Live only while that connection is up and subscribed: listeners are told when it drops and
 * when it returns (messages may have been missed meanwhile), so caches start over.
 */
export class RedisRevocationFeed implements RevocationFeed {
  private readonly listeners = new Set<() => void>();
  private readonly sub: AnyRedisClient;
  private readonly channel: string;
  private live = false;

  constructor(
    private readonly redis: RedisConnection,
    owner: string,
  ) {
    this.channel = redis.key('nest-provider-auth', 'revocations');
    this.sub = redis.duplicate(owner);
    const down = () => this.setLive(false);
    this.sub.on('error', down);
    this.sub.on('end', down);
    this.sub.on('reconnecting', down);
    // node-redis subscribes again by itself on reconnect, before 'ready'; the first time (or if
    // the first connection failed) we subscribe on 'ready'.
    this.sub.on('ready', () => {
      if (this.subscribed) this.setLive(true);
      else this.subscribeOnce();
    });
    this.sub.connect().catch(() => undefined);
  }

  private subscribed = false;
  private subscribing = false;

  private subscribeOnce(): void {
    if (this.subscribing) return;
    this.subscribing = true;
    this.sub
      .subscribe(this.channel, () => this.notify())
      .then(() => {
        this.subscribed = true;
        this.setLive(this.sub.isReady);
      })
      .catch(() => undefined)
      .finally(() => {
        this.subscribing = false;
      });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isLive(): boolean {
    return this.live;
  }

  /** Announce a revocation just recorded; resolves once Redis has passed it to every subscriber. */
  async publish(): Promise<void> {
    // Our own listeners first: this replica must not serve the revoked credential even for the
    // moment the message takes to come back.
    this.notify();
    await this.redis.send(['PUBLISH', this.channel, '1']);
  }

  private setLive(live: boolean): void {
    const changed = this.live !== live;
    this.live = live;
    if (changed) this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
