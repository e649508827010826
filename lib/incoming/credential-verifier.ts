import { timingSafeEqual } from 'node:crypto';
import { TokenExpiredError } from '@nestjs/jwt';
import { hashApiKey, parseApiKey } from '../issuing/api-key-format.js';
import type { ApiKeyStore } from '../issuing/api-key-store.interface.js';
import { ApiKeyUsage } from '../issuing/api-key-usage.js';
import { Hs256Jwt } from '../issuing/hs256-jwt.js';
import type { RefreshTokenStore } from '../issuing/refresh-token-store.interface.js';
import type { ResolvedIncomingOptions } from '../provider-auth.options.js';
import { ROLES, type Principal, type Role } from './principal.js';

export type Verification = { ok: true; principal: Principal } | { ok: false; failure: 'invalid' | 'expired' };

/** A store could not be asked: the credential can be neither accepted nor refused (→ 503). */
export class CredentialStoreUnavailableError extends Error {
  constructor() {
    super('A credential store failed; the credential could not be checked');
    this.name = 'CredentialStoreUnavailableError';
  }
}

const INVALID: Verification = { ok: false, failure: 'invalid' };
const EXPIRED: Verification = { ok: false, failure: 'expired' };

/**
 * The one place that decides whether a bearer credential is good, for the guard and the passport
 * strategy alike. A value starting `afk_` is an API key and only the key check runs; anything
 * else is a JWT and only the JWT check runs.
 */
export class CredentialVerifier {
  private readonly jwt: Hs256Jwt;
  private readonly usage: ApiKeyUsage;

  constructor(
    private readonly options: ResolvedIncomingOptions,
    private readonly apiKeys: ApiKeyStore,
    private readonly revocations: RefreshTokenStore,
  ) {
    this.jwt = new Hs256Jwt(options.secretKey, options.clockToleranceSec);
    this.usage = new ApiKeyUsage(apiKeys);
  }

  async verify(token: string): Promise<Verification> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8_192) return INVALID;
    return token.startsWith('afk_') ? this.verifyApiKey(token) : this.verifyJwt(token);
  }

  private async verifyApiKey(key: string): Promise<Verification> {
    // Shape and checksum first: forgeries and typos never reach the store.
    const id = parseApiKey(key);
    if (!id) return INVALID;
    const record = await this.ask(() => this.apiKeys.get(id));
    if (!record) return INVALID;
    const given = Buffer.from(hashApiKey(key), 'hex');
    const stored = Buffer.from(record.hash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return INVALID;
    if (record.revokedAt) return INVALID;
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) return EXPIRED;
    this.usage.record(record.id);
    return { ok: true, principal: { kind: 'api_key', keyId: record.id, scopes: record.scopes } };
  }

  private async verifyJwt(token: string): Promise<Verification> {
    let payload: unknown;
    try {
      // Pinned to HS256; signature checked before exp, so a forged expired token is "invalid".
      payload = this.jwt.verify(token);
    } catch (error) {
      return error instanceof TokenExpiredError ? EXPIRED : INVALID;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return INVALID;
    const c = payload as Record<string, unknown>;
    const now = Date.now() / 1000;
    const tolerance = this.options.clockToleranceSec;
    if (c.typ !== 'access') return INVALID; // a refresh token is never an access token
    if (!nonEmpty(c.jti) || !nonEmpty(c.sub)) return INVALID;
    if (typeof c.exp !== 'number' || !Number.isFinite(c.exp)) return INVALID;
    if (typeof c.iat !== 'number' || !Number.isFinite(c.iat) || c.iat > now + tolerance) return INVALID;
    if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > now + tolerance)) return INVALID;
    if (!ROLES.includes(c.role as Role)) return INVALID;
    if (c.plan !== undefined && !nonEmpty(c.plan)) return INVALID;
    if (c.brandId !== undefined && !nonEmpty(c.brandId)) return INVALID;
    if (c.fam !== undefined && !nonEmpty(c.fam)) return INVALID;
    const ref = { jti: c.jti as string, sub: c.sub as string, iat: c.iat as number, ...(c.fam !== undefined && { fam: c.fam as string }) };
    if (await this.ask(() => this.revocations.isAccessTokenRevoked(ref))) return INVALID;
    const role = c.role as Role;
    return {
      ok: true,
      principal: {
        kind: 'user',
        sub: c.sub as string,
        role,
        scopes: this.options.roleScopes[role],
        ...(c.plan !== undefined && { plan: c.plan as string }),
        ...(c.brandId !== undefined && { brandId: c.brandId as string }),
      },
    };
  }

  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch {
      throw new CredentialStoreUnavailableError();
    }
  }
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}
