import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { RevocationFeed } from '../issuing/revocation-feed.js';
import type { AnyRedisClient, RedisConnection } from './redis-connection.js';

// A subscriber's receipt: counted under the message's id, kept briefly.
const ACK = `redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], 60000) return 1`;
const ACK_POLL_MS = 2;

/**
 * Revocations announced to every replica over Redis pub/sub, on a connection of its own.
 * Live only while that connection is up and subscribed: listeners are told when it drops and
 * when it returns (messages may have been missed meanwhile), so caches start over.
 *
 * A message arriving is not enough: the replica could serve a request from its cache before it
 * reads the message. So each subscriber confirms once its listeners have run, and publish()
 * resolves only when every subscriber that received the message has confirmed: when a
 * revocation call returns, no replica's cache still holds what it revoked.
 */
export class RedisRevocationFeed implements RevocationFeed {
  private readonly listeners = new Set<() => void>();
  private readonly sub: AnyRedisClient;
  private readonly channel: string;
  private live = false;
  private readonly logger = new Logger('RedisRevocationFeed');

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
      .subscribe(this.channel, (id: string) => this.received(id))
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

  /**
   * Announce a revocation just recorded; resolves once every replica subscribed at that moment
   * has emptied its cache (or after commandTimeoutMs, with a warning, if one does not confirm).
   */
  async publish(): Promise<void> {
    // Our own listeners first, at once.
    this.notify();
    const id = randomBytes(12).toString('hex');
    const receivers = Number(await this.redis.send(['PUBLISH', this.channel, id]));
    const deadline = Date.now() + this.redis.timeoutMs;
    const ackKey = this.ackKey(id);
    while (Number((await this.redis.send<string | null>(['GET', ackKey])) ?? 0) < receivers) {
      if (Date.now() >= deadline) {
        this.logger.warn('A replica did not confirm a revocation in time; it may serve its cached credentials until it reads it');
        return;
      }
      await new Promise((r) => setTimeout(r, ACK_POLL_MS));
    }
  }

  private received(id: string): void {
    this.notify();
    // Confirm after the listeners ran (they are synchronous). If this fails, the publisher waits
    // out its timeout and warns: nothing is served wrongly, a revocation just returns later.
    this.redis.eval(ACK, [this.ackKey(id)], []).catch(() => undefined);
  }

  private ackKey(id: string): string {
    return this.redis.key('nest-provider-auth', 'revocation-ack', id);
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
