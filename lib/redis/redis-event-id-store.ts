import { hash, randomBytes } from 'node:crypto';
import type { EventIdStore } from '../webhooks/event-id-store.interface.js';
import { RedisConnection, type RedisStoreOptions } from './redis-connection.js';

// One script, so that two replicas claiming one id at the same moment get one 'claimed' between them.
const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held == 'done' then return 'done' end
if held then return 'busy' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'claimed'`;

// Free only our own claim: after our lease ran out another replica may hold the id, and 'done' stays done.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Ids made of these characters are keyed as they are (readable in redis-cli); any other is keyed by its SHA-256. */
const PLAIN_ID = /^[A-Za-z0-9_.:-]{1,256}$/;
const MAX_ID_LENGTH = 256;
/** Claims between two sweeps of the tokens of claims that were never completed nor released. */
const SWEEP_EVERY = 1_000;

interface HeldClaim {
  /** The value our claim wrote: `claimed:<random>`, unique per claim. */
  value: string;
  /** Epoch ms when the lease runs out (by this process's clock): after it the claim is no longer ours to free. */
  until: number;
}

/**
 * EventIdStore shared by every replica. One key per event id: `nest-provider-auth:evt:<id>` for
 * an id of letters, digits and `_ . : -`, else `nest-provider-auth:evt-sha256:<hex of its SHA-256>`
 * (so no id, however odd, puts anything else in a key). The key holds `claimed:<random>` for the
 * lease, then `done` for the ttl; Redis drops it when either runs out.
 *
 * @example new RedisEventIdStore({ url: 'redis://127.0.0.1:6379' })
 */
export class RedisEventIdStore implements EventIdStore {
  private readonly redis: RedisConnection;
  /** The claims this process holds, by id: release() frees a key only while it still holds our value. */
  private readonly held = new Map<string, HeldClaim>();
  private claimsSinceSweep = 0;

  constructor(options: RedisStoreOptions) {
    this.redis = new RedisConnection(options, RedisEventIdStore.name);
  }

  async claim(id: string, leaseMs: number): Promise<'claimed' | 'busy' | 'done'> {
    const key = this.k(id);
    checkMs('leaseMs', leaseMs);
    const value = `claimed:${randomBytes(16).toString('hex')}`;
    const until = Date.now() + leaseMs;
    // If this fails after Redis ran it, the claim is nobody's until the lease runs out: the
    // provider's retry is then 'busy' a while, never handled twice.
    const outcome = await this.redis.eval<string>(CLAIM, [key], [value, leaseMs]);
    if (outcome === 'claimed') {
      this.held.set(id, { value, until });
      if (++this.claimsSinceSweep >= SWEEP_EVERY) this.sweep();
    }
    return outcome as 'claimed' | 'busy' | 'done';
  }

  async complete(id: string, ttlMs: number): Promise<void> {
    const key = this.k(id);
    checkMs('ttlMs', ttlMs);
    const mine = this.held.get(id);
    // Unconditional: the handling succeeded, whoever holds the id now.
    await this.redis.send(['SET', key, 'done', 'PX', String(ttlMs)]);
    this.forget(id, mine);
  }

  async release(id: string): Promise<void> {
    const key = this.k(id);
    const mine = this.held.get(id);
    // Not held here (never claimed, or its lease ran out long ago): nothing of ours to free.
    if (!mine) return;
    await this.redis.eval(RELEASE, [key], [mine.value]);
    this.forget(id, mine);
  }

  /** Closes the client the store created from `url` (the module calls this at app shutdown); a client you passed stays open. */
  close(): Promise<void> {
    return this.redis.close();
  }

  private k(id: string): string {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
      // The length and type only: ids come from request bodies and do not belong in logs.
      const got = typeof id === 'string' ? `${id.length} characters` : typeof id;
      throw new TypeError(`RedisEventIdStore: an event id must be a string of 1 to ${MAX_ID_LENGTH} characters (got ${got})`);
    }
    if (PLAIN_ID.test(id)) return this.redis.key('nest-provider-auth', 'evt', id);
    return this.redis.key('nest-provider-auth', 'evt-sha256', hash('sha256', id, 'hex'));
  }

  /** Drops our token once the claim is settled, unless a newer claim of the same id replaced it meanwhile. */
  private forget(id: string, claim: HeldClaim | undefined): void {
    if (claim && this.held.get(id) === claim) this.held.delete(id);
  }

  /** A claim never completed nor released (a handler that threw past us, a crash) must not stay in memory forever. */
  private sweep(): void {
    this.claimsSinceSweep = 0;
    const now = Date.now();
    for (const [id, claim] of this.held) if (claim.until <= now) this.held.delete(id);
  }
}

function checkMs(name: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new RangeError(`RedisEventIdStore: ${name} must be a positive whole number of milliseconds`);
}
