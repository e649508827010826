import type { AccessTokenRef, RefreshTokenStore, StoredFamily, TokenFamily } from '../issuing/refresh-token-store.interface.js';
import type { WithRevocationFeed } from '../issuing/revocation-feed.js';
import { RedisConnection, type RedisStoreOptions } from './redis-connection.js';
import { RedisRevocationFeed } from './redis-revocation-feed.js';

// Keep the later of two cutoffs; the record lives as long as the longest-lived token it refuses.
const REVOKE_USER = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local cutoff = math.max(cur, tonumber(ARGV[1]))
local ttl = math.max(tonumber(ARGV[2]), redis.call('PTTL', KEYS[1]))
redis.call('SET', KEYS[1], cutoff, 'PX', ttl)
return cutoff`;

// The family, and its place in its user's index (a sorted set scored by the family's expiresAt):
// members past their time are dropped here, and the index lives as long as its longest member.
const SAVE_FAMILY = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
local ttl = math.max(tonumber(ARGV[2]), redis.call('PTTL', KEYS[2]))
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;

// Revoke the family only if it is in this user's index, still live, holds this sub and is not
// revoked yet (SET NX): one caller of many gets 1.
const REVOKE_SESSION = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= tonumber(ARGV[2]) then return 0 end
local family = redis.call('GET', KEYS[2])
if not family then return 0 end
local ok, decoded = pcall(cjson.decode, family)
if not ok or type(decoded) ~= 'table' or decoded.sub ~= ARGV[4] then return 0 end
if not redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`;

/**
 * RefreshTokenStore shared by every replica. Every record carries a TTL that runs until the
 * `expiresAt` TokenService gives — past the last moment the credential it concerns could be
 * accepted (exp plus the clock tolerance, plus a margin) — so Redis drops it once it stops
 * mattering, and must never evict it earlier (see README: eviction policy). Revocations are
 * announced on `revocations` so that replicas' caches drop what they hold.
 */
export class RedisRefreshTokenStore implements RefreshTokenStore, WithRevocationFeed {
  readonly revocations: RedisRevocationFeed;
  private readonly redis: RedisConnection;

  constructor(options: RedisStoreOptions) {
    this.redis = new RedisConnection(options, RedisRefreshTokenStore.name);
    this.revocations = new RedisRevocationFeed(this.redis, RedisRefreshTokenStore.name);
  }

  async saveFamily(fam: string, family: TokenFamily, expiresAt: number): Promise<void> {
    await this.redis.eval(
      SAVE_FAMILY,
      [this.k('fam', fam), this.k('fams-of', family.sub)],
      [JSON.stringify(family), ttl(expiresAt), fam, Math.ceil(expiresAt), Date.now()],
    );
  }

  /** Two round trips: the user's live family ids, then those families and their revocation marks. */
  async listFamilies(sub: string): Promise<StoredFamily[]> {
    const fams = await this.redis.send<string[]>(['ZRANGEBYSCORE', this.k('fams-of', sub), `(${Date.now()}`, '+inf']);
    if (fams.length === 0) return [];
    const values = await this.redis.send<(string | null)[]>([
      'MGET',
      ...fams.map((fam) => this.k('fam', fam)),
      ...fams.map((fam) => this.k('fam-revoked', fam)),
    ]);
    const out: StoredFamily[] = [];
    fams.forEach((fam, i) => {
      const json = values[i];
      if (json === null || values[fams.length + i] !== null) return;
      const family = JSON.parse(json) as TokenFamily;
      if (family.sub === sub) out.push({ fam, family });
    });
    return out;
  }

  async revokeSession(sub: string, fam: string, expiresAt: number): Promise<boolean> {
    const revoked = await this.redis.eval<number>(
      REVOKE_SESSION,
      [this.k('fams-of', sub), this.k('fam', fam), this.k('fam-revoked', fam)],
      [fam, Date.now(), ttl(expiresAt), sub],
    );
    if (revoked !== 1) return false;
    await this.revocations.publish();
    return true;
  }

  async getFamily(fam: string): Promise<TokenFamily | undefined> {
    const [family, revoked] = await this.redis.send<(string | null)[]>(['MGET', this.k('fam', fam), this.k('fam-revoked', fam)]);
    if (revoked !== null || family === null) return undefined;
    return JSON.parse(family) as TokenFamily;
  }

  async revokeFamily(fam: string, expiresAt: number): Promise<void> {
    await this.redis.send(['SET', this.k('fam-revoked', fam), '1', 'PX', ttl(expiresAt)]);
    await this.revocations.publish();
  }

  async markUsed(id: string, expiresAt: number): Promise<boolean> {
    // SET NX: exactly one caller across every replica sees OK.
    return (await this.redis.send<string | null>(['SET', this.k('used', id), '1', 'NX', 'PX', ttl(expiresAt)])) === 'OK';
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    await this.redis.send(['SET', this.k('jti-revoked', jti), '1', 'PX', ttl(expiresAt)]);
    await this.revocations.publish();
  }

  async revokeUser(sub: string, issuedUpTo: number, expiresAt: number): Promise<void> {
    await this.redis.eval(REVOKE_USER, [this.k('user-revoked', sub)], [issuedUpTo, ttl(expiresAt)]);
    await this.revocations.publish();
  }

  async isUserRevoked(sub: string, iat: number): Promise<boolean> {
    const cutoff = await this.redis.send<string | null>(['GET', this.k('user-revoked', sub)]);
    return cutoff !== null && iat <= Number(cutoff);
  }

  /** One round trip: revoked by jti, by family or by user. */
  async isAccessTokenRevoked(token: AccessTokenRef): Promise<boolean> {
    const keys = [this.k('jti-revoked', token.jti), this.k('user-revoked', token.sub)];
    if (token.fam !== undefined) keys.push(this.k('fam-revoked', token.fam));
    const [jti, cutoff, fam] = await this.redis.send<(string | null)[]>(['MGET', ...keys]);
    return jti !== null || (fam ?? null) !== null || (cutoff !== null && token.iat <= Number(cutoff));
  }

  /** Closes the clients the store created from `url` (the module calls this at app shutdown). */
  close(): Promise<void> {
    return this.redis.close();
  }

  private k(kind: string, id: string): string {
    return this.redis.key('nest-provider-auth', 'rt', kind, id);
  }
}

/** Milliseconds left until `expiresAt`, at least 1 (PX 0 is an error). */
function ttl(expiresAt: number): string {
  return String(Math.max(1, Math.ceil(expiresAt - Date.now())));
}
