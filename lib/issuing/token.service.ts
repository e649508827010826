import { randomUUID } from 'node:crypto';
import { TokenExpiredError } from '@nestjs/jwt';
import { answerFor, type ProviderAuthException } from '../incoming/auth-answers.js';
import { ROLES, type Role } from '../incoming/principal.js';
import type { ResolvedIncomingOptions } from '../provider-auth.options.js';
import { Hs256Jwt } from './hs256-jwt.js';
import type { RefreshTokenStore, TokenFamily } from './refresh-token-store.interface.js';

export interface IssueInput {
  sub: string;
  role: Role;
  plan?: string;
  brandId?: string;
}

/** Affilync's documented login/refresh answer. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/** Convertly-style refresh answer: a new access token only. */
export interface AccessTokenAnswer {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

type Claims = Record<string, unknown>;

/**
 * Issues, rotates and revokes the HS256 tokens ProviderAuthGuard accepts.
 * Access: `{ sub, role, typ: 'access', jti, iat, exp, plan?, brandId?, fam? }`;
 * refresh: `{ sub, typ: 'refresh', jti, fam, iat, exp }`. A refresh token works once; a replay
 * revokes its whole family (RFC 9700 §4.14.2). Refusals are thrown as the guard's own 401 answers,
 * so a controller that calls these methods answers like the guard does.
 */
export class TokenService {
  private readonly jwt: Hs256Jwt;

  constructor(
    private readonly options: ResolvedIncomingOptions,
    private readonly store: RefreshTokenStore,
  ) {
    this.jwt = new Hs256Jwt(options.secretKey, options.clockToleranceSec);
  }

  /** A new access/refresh pair (a new family), e.g. after your own password check. */
  async issue(input: IssueInput): Promise<TokenPair> {
    const family = familyOf(input);
    const fam = randomUUID();
    return this.pair(fam, family);
  }

  /**
   * Rotate: the refresh token dies atomically and a new pair of the same family is returned.
   * A refresh token used twice — a replay, or the loser of two simultaneous refreshes — revokes
   * the whole family, access tokens included, and is refused.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const c = this.verified(refreshToken, 'refresh');
    const fam = c.fam as string;
    const family = await this.store.getFamily(fam);
    if (!family || (await this.store.isUserRevoked(c.sub as string, c.iat as number))) throw this.refusal('invalid');
    if (!(await this.store.markUsed(`refresh:${c.jti as string}`, (c.exp as number) * 1000))) {
      await this.store.revokeFamily(fam, this.familyExpiry());
      throw this.refusal('invalid');
    }
    return this.pair(fam, family);
  }

  /**
   * Convertly-style refresh: a live access token in, a new one out; the old one stops working at
   * once. An expired token is refused with TOKEN_EXPIRED (log in again).
   */
  async rotateAccessToken(accessToken: string): Promise<AccessTokenAnswer> {
    const c = this.verified(accessToken, 'access');
    if (await this.store.isAccessTokenRevoked(ref(c))) throw this.refusal('invalid');
    // Exactly one rotation per token, even when two race; the loser is refused.
    if (!(await this.store.markUsed(`rotate:${c.jti as string}`, (c.exp as number) * 1000))) throw this.refusal('invalid');
    await this.store.revokeAccessToken(c.jti as string, (c.exp as number) * 1000);
    const family = familyOf({ sub: c.sub as string, role: c.role as Role, plan: c.plan as string, brandId: c.brandId as string });
    return {
      access_token: this.accessToken(family, typeof c.fam === 'string' ? c.fam : undefined),
      token_type: 'bearer',
      expires_in: this.options.accessTokenTtlSec,
    };
  }

  /** Stop one access token from the next request on. False for a token that is not ours. */
  async revokeAccessToken(token: string): Promise<boolean> {
    const c = this.decoded(token, 'access');
    if (!c) return false;
    await this.store.revokeAccessToken(c.jti as string, (c.exp as number) * 1000);
    return true;
  }

  /** Kill the family of a refresh token: every refresh and access token issued with it. */
  async revokeFamily(refreshToken: string): Promise<boolean> {
    const c = this.decoded(refreshToken, 'refresh');
    if (!c) return false;
    await this.store.revokeFamily(c.fam as string, this.familyExpiry());
    return true;
  }

  /**
   * Every token of a user issued until now (by iat, in whole seconds: a token issued later in the
   * same second is refused too).
   */
  async revokeAllForUser(sub: string): Promise<void> {
    if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('TokenService.revokeAllForUser(): sub must be a non-empty string');
    await this.store.revokeUser(sub, Math.floor(Date.now() / 1000), this.familyExpiry());
  }

  private async pair(fam: string, family: TokenFamily): Promise<TokenPair> {
    const { accessTokenTtlSec, refreshTokenTtlSec } = this.options;
    await this.store.saveFamily(fam, family, this.familyExpiry());
    return {
      access_token: this.accessToken(family, fam),
      refresh_token: this.jwt.sign({ sub: family.sub, typ: 'refresh', jti: randomUUID(), fam }, refreshTokenTtlSec),
      token_type: 'bearer',
      expires_in: accessTokenTtlSec,
    };
  }

  private accessToken(family: TokenFamily, fam: string | undefined): string {
    return this.jwt.sign(
      {
        sub: family.sub,
        role: family.role,
        typ: 'access',
        jti: randomUUID(),
        ...(family.plan !== undefined && { plan: family.plan }),
        ...(family.brandId !== undefined && { brandId: family.brandId }),
        ...(fam !== undefined && { fam }),
      },
      this.options.accessTokenTtlSec,
    );
  }

  /** Claims of a good, unexpired token of this type; otherwise the guard's 401 is thrown. */
  private verified(token: string, typ: 'access' | 'refresh'): Claims {
    let claims: unknown;
    try {
      claims = this.jwt.verify(String(token));
    } catch (error) {
      throw this.refusal(error instanceof TokenExpiredError ? 'expired' : 'invalid');
    }
    if (!hasShape(claims, typ)) throw this.refusal('invalid');
    return claims;
  }

  /** Claims of a token we signed, expired or not; undefined otherwise. */
  private decoded(token: string, typ: 'access' | 'refresh'): Claims | undefined {
    try {
      const claims = this.jwt.verify(String(token), { ignoreExpiration: true });
      return hasShape(claims, typ) ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  /** Revocation records must outlive every token they could concern. */
  private familyExpiry(): number {
    return Date.now() + (Math.max(this.options.refreshTokenTtlSec, this.options.accessTokenTtlSec) + this.options.clockToleranceSec) * 1000;
  }

  private refusal(reason: 'invalid' | 'expired'): ProviderAuthException {
    return answerFor({ reason }, this.options.errorFormat, this.options.realm);
  }
}

function hasShape(claims: unknown, typ: 'access' | 'refresh'): claims is Claims {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return false;
  const c = claims as Claims;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (c.typ !== typ || !str(c.jti) || !str(c.sub) || typeof c.exp !== 'number' || typeof c.iat !== 'number') return false;
  return typ === 'refresh' ? str(c.fam) : ROLES.includes(c.role as Role);
}

function ref(c: Claims) {
  return { jti: c.jti as string, sub: c.sub as string, iat: c.iat as number, ...(typeof c.fam === 'string' && { fam: c.fam }) };
}

function familyOf(input: IssueInput): TokenFamily {
  if (typeof input !== 'object' || input === null) throw new TypeError('TokenService.issue() needs { sub, role }');
  if (typeof input.sub !== 'string' || input.sub.length === 0) throw new TypeError('TokenService.issue(): sub must be a non-empty string');
  if (!ROLES.includes(input.role)) throw new TypeError(`TokenService.issue(): role must be one of ${ROLES.join(', ')}`);
  for (const k of ['plan', 'brandId'] as const) {
    if (input[k] !== undefined && (typeof input[k] !== 'string' || input[k].length === 0)) {
      throw new TypeError(`TokenService.issue(): ${k} must be a non-empty string when given`);
    }
  }
  return {
    sub: input.sub,
    role: input.role,
    ...(input.plan !== undefined && { plan: input.plan }),
    ...(input.brandId !== undefined && { brandId: input.brandId }),
  };
}
