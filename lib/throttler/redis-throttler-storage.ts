// In ./throttler, not ./redis: it implements @nestjs/throttler's ThrottlerStorage and falls back to
// its in-memory storage, so ./redis (used by apps without @nestjs/throttler) never loads that package.
import { hash } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { OutageNotice } from '../redis/outage-notice.js';
import { RedisConnection, type RedisStoreOptions } from '../redis/redis-connection.js';

// One hash per tracker and throttler: h = hits in the window, b = blocked. The window starts with
// its first hit and ends when the key expires. Past the limit the key becomes the block: it lives
// blockDuration more, then goes, and the next request opens a fresh window (as @nestjs/throttler's
// in-memory storage resets a tracker whose block ran out). One script: replicas never read-then-write.
// Answers { hits, ms to window end, blocked 0|1, ms to block end }.
const INCREMENT = `
if redis.call('HGET', KEYS[1], 'b') == '1' then
  local left = redis.call('PTTL', KEYS[1])
  return { tonumber(redis.call('HGET', KEYS[1], 'h')), left, 1, left }
end
local ttl, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local hits = redis.call('HINCRBY', KEYS[1], 'h', 1)
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  left = ttl
end
if hits <= limit then return { hits, left, 0, 0 } end
if block <= 0 then return { hits, left, 1, left } end
redis.call('HSET', KEYS[1], 'b', '1')
redis.call('PEXPIRE', KEYS[1], block)
return { hits, block, 1, block }`;

/** @nestjs/throttler's ThrottlerStorageRecord (its index does not export the type). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Keys @nestjs/throttler makes (a SHA-256 in hex) are used as they are; any other is hashed first. */
const HASHED_KEY = /^[0-9a-f]{64}$/;
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * @nestjs/throttler storage shared by every replica through Redis (node-redis 6): one key per
 * tracker and throttler, `nest-provider-auth:throttle:<throttler name>:<sha256>`, counted and
 * blocked by one Lua script. Built from `{ url }` it opens its own client and closes it at app
 * shutdown; a `{ client }` you pass stays open.
 *
 * While Redis cannot be reached it fails open to per-process counting: each replica keeps limits
 * in memory (so a client may get up to N × replicas), warns once per outage, and goes back to
 * Redis when it answers again. Requests are never refused because Redis is down.
 *
 * @example ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 100 }], storage: new RedisThrottlerStorage({ url: process.env.REDIS_URL! }) })
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly redis: RedisConnection;
  private readonly fallback = new ThrottlerStorageService();
  private readonly outage = new OutageNotice(new Logger(RedisThrottlerStorage.name), {
    meanwhile: 'rate limits are counted in each process until it is back, so each replica allows the full limit',
    again: 'rate limits are shared across replicas again',
  });

  constructor(options: RedisStoreOptions) {
    this.redis = new RedisConnection(options, RedisThrottlerStorage.name);
  }

  /** ttl and blockDuration in ms; the answer's times in whole seconds, rounded up (as ThrottlerStorageService answers). */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    let answer: number[];
    try {
      answer = await this.redis.eval<number[]>(INCREMENT, [this.key(key, throttlerName)], [Math.max(1, Math.ceil(ttl)), limit, Math.ceil(blockDuration)]);
    } catch (error) {
      this.outage.failed(error);
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    this.outage.answered();
    const [totalHits, toExpireMs, blocked, toBlockExpireMs] = answer.map(Number);
    return {
      totalHits,
      timeToExpire: Math.ceil(toExpireMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(toBlockExpireMs / 1000),
    };
  }

  /** Closes the client the storage created from `url`; a client you passed stays open. Idempotent. */
  async close(): Promise<void> {
    this.fallback.onApplicationShutdown();
    await this.redis.close();
  }

  /** Nest calls this at app.close(): ThrottlerModule provides the storage you gave it. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private key(key: string, throttlerName: string): string {
    const name = PLAIN_NAME.test(throttlerName) ? throttlerName : sha256(throttlerName);
    // A custom generateKey() might put a raw tracker (an IP, a token) in the key: never in Redis as is.
    return this.redis.key('nest-provider-auth', 'throttle', name, HASHED_KEY.test(key) ? key : sha256(key));
  }
}

function sha256(value: string): string {
  return hash('sha256', value, 'hex');
}
