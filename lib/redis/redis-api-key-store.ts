import type { ApiKeyRecord, ApiKeyStore } from '../issuing/api-key-store.interface.js';
import type { WithRevocationFeed } from '../issuing/revocation-feed.js';
import { RedisConnection, type RedisStoreOptions } from './redis-connection.js';
import { RedisRevocationFeed } from './redis-revocation-feed.js';

const FIELDS = ['id', 'label', 'scopes', 'hash', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt'] as const;

// Revoke once: false for an unknown or already revoked key.
const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'revokedAt') ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'revokedAt', ARGV[1])
return 1`;

// Record a use on an existing key only, never moving lastUsedAt backwards (and never recreating a record).
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local last = redis.call('HGET', KEYS[1], 'lastUsedAt')
if last == '' or tonumber(last) < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[1]) end
return 1`;

/**
 * ApiKeyStore shared by every replica: one hash per key (its SHA-256, never the key), and an index
 * set for list(). A revocation is visible to every replica on its next request, and announced on
 * `revocations` for their caches. API key records carry no TTL: they are data, not cache.
 */
export class RedisApiKeyStore implements ApiKeyStore, WithRevocationFeed {
  readonly revocations: RedisRevocationFeed;
  private readonly redis: RedisConnection;

  constructor(options: RedisStoreOptions) {
    this.redis = new RedisConnection(options, RedisApiKeyStore.name);
    this.revocations = new RedisRevocationFeed(this.redis, RedisApiKeyStore.name);
  }

  async save(record: ApiKeyRecord): Promise<void> {
    const fields = FIELDS.flatMap((f) => [f, encode(f, record[f])]);
    await this.redis.eval(`redis.call('HSET', KEYS[1], unpack(ARGV)) redis.call('SADD', KEYS[2], ARGV[2]) return 1`, [this.k(record.id), this.index()], fields);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const values = await this.redis.send<(string | null)[]>(['HMGET', this.k(id), ...FIELDS]);
    return values[0] === null ? undefined : decode(values);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const ids = await this.redis.send<string[]>(['SMEMBERS', this.index()]);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is ApiKeyRecord => r !== undefined).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const done = Number(await this.redis.eval<number>(REVOKE, [this.k(id)], [at.getTime()])) === 1;
    if (done) await this.revocations.publish();
    return done;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.redis.eval(TOUCH, [this.k(id)], [at.getTime()]);
  }

  /** False while Redis is unreachable (health checks read it; calls find out by themselves). */
  isAvailable(): boolean {
    return this.redis.client.isReady;
  }

  /** Closes the clients the store created from `url` (the module calls this at app shutdown). */
  close(): Promise<void> {
    return this.redis.close();
  }

  private k(id: string): string {
    return this.redis.key('nest-provider-auth', 'api-key', id);
  }

  private index(): string {
    return this.redis.key('nest-provider-auth', 'api-keys');
  }
}

function encode(field: (typeof FIELDS)[number], value: ApiKeyRecord[keyof ApiKeyRecord]): string {
  if (field === 'scopes') return JSON.stringify(value);
  if (value instanceof Date) return String(value.getTime());
  return value === null ? '' : String(value);
}

function decode(v: (string | null)[]): ApiKeyRecord {
  const date = (s: string | null) => (s === null || s === '' ? null : new Date(Number(s)));
  return {
    id: v[0] as string,
    label: v[1] ?? '',
    scopes: JSON.parse(v[2] ?? '[]') as string[],
    hash: v[3] ?? '',
    createdAt: date(v[4]) ?? new Date(0),
    expiresAt: date(v[5]),
    revokedAt: date(v[6]),
    lastUsedAt: date(v[7]),
  };
}
