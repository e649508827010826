import { randomUUID } from 'node:crypto';
import { answerFor, type ProviderAuthException } from '../incoming/auth-answers.js';
import { ROLES, type JsonValue, type Role } from '../incoming/principal.js';
import type { ResolvedIncomingOptions } from '../provider-auth.options.js';
import { checkedCustomClaims, customClaimsOf, type CustomClaims } from './custom-claims.js';
import { Hs256Jwt, MAX_CREDENTIAL_CHARS } from './hs256-jwt.js';
import type { RefreshTokenStore, TokenFamily } from './refresh-token-store.interface.js';
import { keepRecordUntil, nowSec } from './token-lifetime.js';

export interface IssueInput {
  sub: string;
  role: Role;
  plan?: string;
  brandId?: string;
  /**
   * Custom claims, returned as `principal.claims`: JSON values only, at most 4096 bytes as JSON,
   * no reserved name (RESERVED_CLAIM_NAMES). Signed, not encrypted: never put a secret in them.
   */
  claims?: Record<string, JsonValue>;
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

/** One login of a user (a refresh-token family), as listSessions() shows it. */
export interface SessionSummary {
  /** The family id: the `fam` claim of its tokens; what revokeSession() takes. */
  familyId: string;
  /** When issue() created it. */
  createdAt: Date;
  /** Its last refresh(), or issue() if it was never refreshed. */
  lastUsedAt: Date;
  plan?: string;
  brandId?: string;
}

type Claims = Record<string, unknown>;

/**
 * Issues, rotates and revokes the HS256 tokens ProviderAuthGuard accepts.
 * Access: `{ sub, role, typ: 'access', jti, iat, exp, auth_time, plan?, brandId?, fam? }`;
 * refresh: `{ sub, typ: 'refresh', jti, fam, iat, exp, auth_time }`; both also carry the custom
 * claims of issue(), flat beside these, so renewals re-issue them without a store. A refresh token
 * works once; a replay revokes its whole family (RFC 9700 §4.14.2). `auth_time` (OpenID Connect's claim, epoch s)
 * is when issue() was called; renewals keep it, and none is granted `incoming.maxSessionSec` after
 * it. Refusals are thrown as the guard's own 401 answers, so a controller that calls these methods
 * answers like the guard does.
 */
export class TokenService {
  constructor(
    private readonly options: ResolvedIncomingOptions,
    private readonly store: RefreshTokenStore,
    private readonly jwt: Hs256Jwt,
  ) {}

  /** A new access/refresh pair (a new family), e.g. after your own password check. */
  async issue(input: IssueInput): Promise<TokenPair> {
    const now = Date.now();
    const family: TokenFamily = { ...familyOf(input), authTime: nowSec(now), createdAt: now, lastUsedAt: now };
    return this.pair(randomUUID(), family, checkedCustomClaims(input.claims, 'TokenService.issue()'), now);
  }

  /**
   * Rotate: the refresh token dies atomically and a new pair of the same family is returned.
   * A refresh token used twice — a replay, or the loser of two simultaneous refreshes — revokes
   * the whole family, access tokens included, and is refused. Past the end of the session
   * (`incoming.maxSessionSec` after issue()) it is refused with TOKEN_EXPIRED: log in again.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const c = this.verified(refreshToken, 'refresh');
    const fam = c.fam as string;
    const family = await this.store.getFamily(fam);
    if (!family || (await this.store.isUserRevoked(c.sub as string, c.iat as number))) throw this.refusal('invalid');
    if (!(await this.store.markUsed(`refresh:${c.jti as string}`, this.recordUntil(c)))) {
      await this.store.revokeFamily(fam, this.familyExpiry());
      throw this.refusal('invalid');
    }
    // The family record is the source of truth; families saved before it kept one fall back on the token.
    const authTime = isEpochSec(family.authTime) ? family.authTime : authTimeOf(c);
    if (this.sessionEnded(authTime)) throw this.refusal('expired');
    // Custom claims ride in the (signed) refresh token itself: no store needs to learn about them.
    const now = Date.now();
    const createdAt = typeof family.createdAt === 'number' ? family.createdAt : authTime * 1000;
    return this.pair(fam, { ...family, authTime, createdAt, lastUsedAt: now }, customClaimsOf(c), now);
  }

  /**
   * Convertly-style refresh: a live access token in, a new one out; the old one stops working at
   * once. An expired token, or one whose session has ended (`incoming.maxSessionSec`), is
   * refused with TOKEN_EXPIRED (log in again).
   */
  async rotateAccessToken(accessToken: string): Promise<AccessTokenAnswer> {
    const c = this.verified(accessToken, 'access');
    if (await this.store.isAccessTokenRevoked(ref(c))) throw this.refusal('invalid');
    const authTime = authTimeOf(c);
    if (this.sessionEnded(authTime)) throw this.refusal('expired');
    // Exactly one rotation per token, even when two race; the loser is refused.
    if (!(await this.store.markUsed(`rotate:${c.jti as string}`, this.recordUntil(c)))) throw this.refusal('invalid');
    await this.store.revokeAccessToken(c.jti as string, this.recordUntil(c));
    const family: TokenFamily = {
      ...familyOf({ sub: c.sub as string, role: c.role as Role, plan: c.plan as string, brandId: c.brandId as string }),
      authTime,
    };
    return {
      access_token: this.accessToken(family, typeof c.fam === 'string' ? c.fam : undefined, nowSec(), customClaimsOf(c)),
      token_type: 'bearer',
      expires_in: this.options.accessTokenTtlSec,
    };
  }

  /** Stop one access token from the next request on. False for a token that is not ours. */
  async revokeAccessToken(token: string): Promise<boolean> {
    const c = this.decoded(token, 'access');
    if (!c) return false;
    await this.store.revokeAccessToken(c.jti as string, this.recordUntil(c));
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
    checkedSub(sub, 'revokeAllForUser');
    const upTo = nowSec();
    await this.store.revokeUser(sub, upTo, this.familyExpiry(upTo));
  }

  /**
   * The user's live logins (refresh-token families), newest first: neither revoked (revokeFamily,
   * revokeSession, a replay, revokeAllForUser) nor expired, and still renewable (within
   * `incoming.maxSessionSec`). Show them on a "where you are signed in" page.
   */
  async listSessions(sub: string): Promise<SessionSummary[]> {
    checkedSub(sub, 'listSessions');
    const families = await this.store.listFamilies(sub);
    const live = await Promise.all(
      families.map(async ({ fam, family }) => {
        if (family.sub !== sub || typeof fam !== 'string' || fam.length === 0) return undefined;
        const createdAt = family.createdAt ?? (isEpochSec(family.authTime) ? family.authTime * 1000 : undefined);
        const lastUsedAt = family.lastUsedAt ?? createdAt;
        if (!isEpochMs(createdAt) || !isEpochMs(lastUsedAt)) return undefined;
        if (this.sessionEnded(isEpochSec(family.authTime) ? family.authTime : nowSec(createdAt))) return undefined;
        // Its newest refresh token was issued at lastUsedAt (same second): revokeAllForUser since then ended it.
        if (await this.store.isUserRevoked(sub, nowSec(lastUsedAt))) return undefined;
        const session: SessionSummary = {
          familyId: fam,
          createdAt: new Date(createdAt),
          lastUsedAt: new Date(lastUsedAt),
          ...(family.plan !== undefined && { plan: family.plan }),
          ...(family.brandId !== undefined && { brandId: family.brandId }),
        };
        return session;
      }),
    );
    return live
      .filter((s): s is SessionSummary => s !== undefined)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.familyId < b.familyId ? -1 : 1));
  }

  /**
   * End one login of `sub` (as revokeFamily does: its refresh and access tokens are refused from
   * the next request on). True when it was `sub`'s, live, and is now revoked; false for an
   * unknown family, another user's (left untouched), or one already revoked.
   */
  async revokeSession(sub: string, familyId: string): Promise<boolean> {
    checkedSub(sub, 'revokeSession');
    if (typeof familyId !== 'string' || familyId.length === 0) return false;
    const family = await this.store.getFamily(familyId);
    if (!family || family.sub !== sub) return false;
    const lastUsedAt = family.lastUsedAt ?? family.createdAt;
    // Already ended with every token of the user: nothing left to revoke.
    if (isEpochMs(lastUsedAt) && (await this.store.isUserRevoked(sub, nowSec(lastUsedAt)))) return false;
    return this.store.revokeSession(sub, familyId, this.familyExpiry());
  }

  private async pair(fam: string, family: TokenFamily, claims: CustomClaims | undefined, now = Date.now()): Promise<TokenPair> {
    const { accessTokenTtlSec, refreshTokenTtlSec } = this.options;
    // One iat for both tokens and the record, so that the record covers the refresh token's exp
    // exactly, and the family's lastUsedAt falls in the refresh token's iat second.
    const iat = nowSec(now);
    const access = this.accessToken(family, fam, iat, claims);
    // Long claims with a long sub, plan or brandId: a token the guard would never read is not issued.
    // (Renewals copy the same claims into same-sized tokens, so only issue() can meet this.)
    if (access.length > MAX_CREDENTIAL_CHARS) {
      throw new TypeError(
        `TokenService.issue(): the access token would be ${access.length} characters, more than the ${MAX_CREDENTIAL_CHARS} the guard reads; shorten claims, sub, plan or brandId`,
      );
    }
    const refresh = this.jwt.sign(
      // Ours last: nothing custom can stand in for them (checkedCustomClaims refuses their names anyway).
      { ...claims, sub: family.sub, typ: 'refresh', jti: randomUUID(), fam, iat, auth_time: family.authTime },
      refreshTokenTtlSec,
    );
    await this.store.saveFamily(fam, family, this.familyExpiry(iat));
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'bearer',
      expires_in: accessTokenTtlSec,
    };
  }

  private accessToken(family: TokenFamily, fam: string | undefined, iat: number, claims: CustomClaims | undefined): string {
    return this.jwt.sign(
      {
        ...claims,
        sub: family.sub,
        role: family.role,
        typ: 'access',
        jti: randomUUID(),
        iat,
        auth_time: family.authTime,
        ...(family.plan !== undefined && { plan: family.plan }),
        ...(family.brandId !== undefined && { brandId: family.brandId }),
        ...(fam !== undefined && { fam }),
      },
      this.options.accessTokenTtlSec,
    );
  }

  /**
   * Claims of a good, unexpired token of this type that this configuration could have issued;
   * otherwise the guard's 401 is thrown.
   */
  private verified(token: string, typ: 'access' | 'refresh'): Claims {
    let claims: unknown;
    try {
      claims = this.jwt.verify(String(token));
    } catch (error) {
      throw this.refusal(Hs256Jwt.isExpiry(error) ? 'expired' : 'invalid');
    }
    if (!hasShape(claims, typ) || !this.couldHaveIssued(claims, typ)) throw this.refusal('invalid');
    return claims;
  }

  /**
   * Lifetime at most this type's TTL (plus the tolerance), issued no later than now (plus the
   * tolerance): a token signed with our secret by anything else — or under a longer TTL — is
   * refused, and no record about it has to outlive what this configuration issues.
   */
  private couldHaveIssued(c: Claims, typ: 'access' | 'refresh'): boolean {
    const { accessTokenTtlSec, refreshTokenTtlSec, clockToleranceSec } = this.options;
    const ttl = typ === 'access' ? accessTokenTtlSec : refreshTokenTtlSec;
    const iat = c.iat as number;
    return (c.exp as number) - iat <= ttl + clockToleranceSec && iat <= Date.now() / 1000 + clockToleranceSec;
  }

  /** Whether `incoming.maxSessionSec` has passed since `authTime` (epoch s): no more renewals. */
  private sessionEnded(authTime: number): boolean {
    return Date.now() >= (authTime + this.options.maxSessionSec) * 1000;
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

  /** Until when a record about this one token (revoked, used) must be kept: past its last acceptable moment. */
  private recordUntil(c: Claims): number {
    return keepRecordUntil(c.exp as number, this.options.clockToleranceSec);
  }

  /**
   * Until when a record about every token issued up to `issuedUpTo` (epoch s) must be kept — a
   * family or a user: the longest-lived of them is accepted until its exp plus the tolerance.
   */
  private familyExpiry(issuedUpTo = nowSec()): number {
    const longest = Math.max(this.options.refreshTokenTtlSec, this.options.accessTokenTtlSec);
    return keepRecordUntil(issuedUpTo + longest, this.options.clockToleranceSec);
  }

  private refusal(reason: 'invalid' | 'expired'): ProviderAuthException {
    return answerFor({ reason }, this.options.errorFormat, this.options.realm);
  }
}

function hasShape(claims: unknown, typ: 'access' | 'refresh'): claims is Claims {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return false;
  const c = claims as Claims;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (c.typ !== typ || !str(c.jti) || !str(c.sub) || !isEpochSec(c.exp) || !isEpochSec(c.iat)) return false;
  // auth_time is absent from tokens issued before sessions were limited; present, it precedes iat.
  if (c.auth_time !== undefined && !(isEpochSec(c.auth_time) && c.auth_time <= c.iat)) return false;
  return typ === 'refresh' ? str(c.fam) : ROLES.includes(c.role as Role);
}

function isEpochSec(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isEpochMs(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function checkedSub(sub: unknown, method: string): asserts sub is string {
  if (typeof sub !== 'string' || sub.length === 0) throw new TypeError(`TokenService.${method}(): sub must be a non-empty string`);
}

/**
 * When the user authenticated: `auth_time`, or for a token issued before that claim existed its
 * own `iat` (the earliest time we can vouch for; its session then runs from there).
 */
function authTimeOf(c: Claims): number {
  return c.auth_time !== undefined ? (c.auth_time as number) : (c.iat as number);
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
