import { timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { hashApiKey, parseApiKey } from '../issuing/api-key-format.js';
import type { ApiKeyStore } from '../issuing/api-key-store.interface.js';
import { ApiKeyUsage } from '../issuing/api-key-usage.js';
import { customClaimsOf } from '../issuing/custom-claims.js';
import { MAX_CREDENTIAL_CHARS, type Hs256Jwt } from '../issuing/hs256-jwt.js';
import { acceptedUntil } from '../issuing/token-lifetime.js';
import type { RefreshTokenStore } from '../issuing/refresh-token-store.interface.js';
import type { RevocationFeed, WithRevocationFeed } from '../issuing/revocation-feed.js';
import type { ResolvedIncomingOptions } from '../provider-auth.options.js';
import { ROLES, type Principal, type Role } from './principal.js';
import { VerifiedCredentialCache, type VerifiedCredential } from './verified-credential-cache.js';

export type Verification = { ok: true; principal: Principal } | { ok: false; failure: 'invalid' | 'expired' };

/** An accepted credential and the epoch ms from which it would be refused anyway (for the cache). */
type Accepted = { ok: true; principal: Principal; until: number };

/** A store could not be asked: the credential can be neither accepted nor refused (→ 503). */
export class CredentialStoreUnavailableError extends Error {
  constructor() {
    super('A credential store failed; the credential could not be checked');
    this.name = 'CredentialStoreUnavailableError';
  }
}

type Refused = Extract<Verification, { ok: false }>;
const INVALID: Refused = { ok: false, failure: 'invalid' };
const EXPIRED: Refused = { ok: false, failure: 'expired' };

/**
 * The one place that decides whether a bearer credential is good, for the guard and the passport
 * strategy alike. A value starting `afk_` is an API key and only the key check runs; anything
 * else is a JWT and only the JWT check runs.
 */
export class CredentialVerifier {
  private readonly usage: ApiKeyUsage;
  private readonly logger = new Logger('ProviderAuth');
  /** Present only when every store feeds revocations: a cache must never outlive one. */
  private readonly cache: VerifiedCredentialCache | undefined;
  private readonly feeds: readonly RevocationFeed[];
  /**
   * Each role's scopes, frozen: every principal of a role shares its list, so a handler that
   * pushed onto `request.user.scopes` would otherwise widen every other request of that role.
   */
  private readonly roleScopes: Readonly<Record<Role, readonly string[]>>;
  /** Bumped on every revocation event: a check that straddled one must not fill the cache. */
  private generation = 0;
  private storesDown = false;

  constructor(
    private readonly options: ResolvedIncomingOptions,
    private readonly apiKeys: ApiKeyStore,
    private readonly revocations: RefreshTokenStore,
    private readonly jwt: Hs256Jwt,
  ) {
    this.roleScopes = Object.freeze({
      admin: Object.freeze([...options.roleScopes.admin]),
      member: Object.freeze([...options.roleScopes.member]),
    });
    this.usage = new ApiKeyUsage(apiKeys);
    const feeds = [...new Set([apiKeys, revocations].map((s) => (s as WithRevocationFeed).revocations))];
    this.feeds = feeds.every((f) => f !== undefined) ? (feeds as RevocationFeed[]) : [];
    this.cache = this.feeds.length > 0 && options.cacheEntries > 0 ? new VerifiedCredentialCache(options.cacheEntries) : undefined;
    const forget = () => {
      this.generation++;
      this.cache?.clear();
    };
    if (this.cache) for (const feed of this.feeds) feed.subscribe(forget);
  }

  async verify(token: string): Promise<Verification> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_CREDENTIAL_CHARS) return INVALID;
    const principal = this.cached(token);
    if (principal) return { ok: true, principal };
    const cache = this.cache;
    const generation = this.generation;
    const result = token.startsWith('afk_') ? await this.verifyApiKey(token) : await this.verifyJwt(token);
    if (!result.ok) return result;
    // Only if no revocation was heard of while the stores were being asked, and the feed still holds.
    if (cache && generation === this.generation && this.cacheIfLive()) {
      cache.set({ token, principal: { ...result.principal }, until: result.until });
    }
    return { ok: true, principal: result.principal };
  }

  /**
   * The principal of a credential verified before and still good, without any await; undefined
   * when it is not in the cache (or the cache is off or not live). The guard's fast path.
   */
  cached(token: string): Principal | undefined {
    const cache = this.cacheIfLive();
    if (!cache) return undefined;
    const now = Date.now();
    return this.served(cache.get(token, now), now);
  }

  /**
   * cached() for a whole Authorization value, `Bearer <credential>` exactly (any other spelling is
   * undefined): the guard's fast path, which need not cut the credential out of the header.
   */
  cachedHeader(header: string): Principal | undefined {
    const cache = this.cacheIfLive();
    if (!cache) return undefined;
    const now = Date.now();
    return this.served(cache.getByHeader(header, now), now);
  }

  private served(hit: VerifiedCredential | undefined, now: number): Principal | undefined {
    if (!hit) return undefined;
    if (hit.principal.kind === 'api_key') this.usage.record(hit.principal.keyId, now);
    // A copy: a handler that decorates request.user must not change the next request's.
    return { ...hit.principal };
  }

  /** The realm of this app's `WWW-Authenticate` challenges. */
  get realm(): string {
    return this.options.realm;
  }

  /** Entries in the cache of verified credentials (0 when it is off): for tests and metrics. */
  get cachedCredentials(): number {
    return this.cache?.size ?? 0;
  }

  private cacheIfLive(): VerifiedCredentialCache | undefined {
    if (!this.cache) return undefined;
    for (const feed of this.feeds) {
      if (!feed.isLive()) {
        this.cache.clear();
        return undefined;
      }
    }
    return this.cache;
  }

  private async verifyApiKey(key: string): Promise<Accepted | Refused> {
    // Shape and checksum first: forgeries and typos never reach the store.
    const id = parseApiKey(key);
    if (!id) return INVALID;
    const record = await this.ask(() => this.apiKeys.get(id));
    if (!record) return INVALID;
    const given = Buffer.from(hashApiKey(key), 'hex');
    const stored = Buffer.from(record.hash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return INVALID;
    if (record.revokedAt) return INVALID;
    const until = record.expiresAt ? record.expiresAt.getTime() : Infinity;
    if (until <= Date.now()) return EXPIRED;
    this.usage.record(record.id);
    // Frozen: a cached key's principal is shared by every request that presents the key.
    return { ok: true, principal: { kind: 'api_key', keyId: record.id, scopes: Object.freeze([...record.scopes]) }, until };
  }

  private async verifyJwt(token: string): Promise<Accepted | Refused> {
    // Pinned to HS256, a JSON object with exp; signature checked before exp, so a forged expired token is "invalid".
    const verdict = this.jwt.check(token);
    if (!verdict.ok) return verdict.expired ? EXPIRED : INVALID;
    const c = verdict.payload;
    const now = Date.now() / 1000;
    const tolerance = this.options.clockToleranceSec;
    if (c.typ !== 'access') return INVALID; // a refresh token is never an access token
    if (!nonEmpty(c.jti) || !nonEmpty(c.sub)) return INVALID;
    if (typeof c.exp !== 'number' || !Number.isFinite(c.exp)) return INVALID;
    if (typeof c.iat !== 'number' || !Number.isFinite(c.iat) || c.iat > now + tolerance) return INVALID;
    // A lifetime this configuration could not have issued (RFC 8725 §3.10): a token minted
    // elsewhere with the same secret, or before the TTL was lowered, does not pass.
    if (c.exp - c.iat > this.options.accessTokenTtlSec + tolerance) return INVALID;
    if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > now + tolerance)) return INVALID;
    if (!ROLES.includes(c.role as Role)) return INVALID;
    if (c.plan !== undefined && !nonEmpty(c.plan)) return INVALID;
    if (c.brandId !== undefined && !nonEmpty(c.brandId)) return INVALID;
    if (c.fam !== undefined && !nonEmpty(c.fam)) return INVALID;
    const ref = { jti: c.jti as string, sub: c.sub as string, iat: c.iat as number, ...(c.fam !== undefined && { fam: c.fam as string }) };
    if (await this.ask(() => this.revocations.isAccessTokenRevoked(ref))) return INVALID;
    const role = c.role as Role;
    // Deep-frozen: a cached principal's claims are shared by every request presenting the token.
    const claims = customClaimsOf(c);
    return {
      ok: true,
      principal: {
        kind: 'user',
        sub: c.sub as string,
        role,
        scopes: this.roleScopes[role],
        ...(c.plan !== undefined && { plan: c.plan as string }),
        ...(c.brandId !== undefined && { brandId: c.brandId as string }),
        ...(claims !== undefined && { claims }),
      },
      until: acceptedUntil(c.exp, tolerance),
    };
  }

  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const answer = await fn();
      if (this.storesDown) {
        this.storesDown = false;
        this.logger.log('Credential stores answer again: requests are checked normally');
      }
      return answer;
    } catch {
      if (!this.storesDown) {
        this.storesDown = true;
        this.logger.error('A credential store is unavailable: requests that need it are refused with 503 until it answers again');
      }
      throw new CredentialStoreUnavailableError();
    }
  }
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}
