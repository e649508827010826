import { randomUUID } from 'node:crypto';
import { Hs256Jwt } from './hs256-jwt.js';
import type { RefreshTokenStore } from './refresh-token-store.interface.js';
import type { ResolvedIncomingOptions } from '../provider-auth.options.js';
import { ROLES, type Role } from '../incoming/principal.js';

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

/**
 * Issues the HS256 tokens ProviderAuthGuard accepts. Access: `{ sub, role, typ: 'access', jti, iat,
 * exp, plan?, brandId? }`; refresh: `{ sub, typ: 'refresh', jti, fam, iat, exp }`.
 */
export class TokenService {
  private readonly jwt: Hs256Jwt;

  constructor(
    private readonly options: ResolvedIncomingOptions,
    private readonly store: RefreshTokenStore,
  ) {
    this.jwt = new Hs256Jwt(options.secretKey, options.clockToleranceSec);
  }

  /** A new access/refresh pair for a user, e.g. after your own password check. */
  async issue(input: IssueInput): Promise<TokenPair> {
    assertIssueInput(input);
    const { accessTokenTtlSec, refreshTokenTtlSec } = this.options;
    const access = this.jwt.sign(
      {
        sub: input.sub,
        role: input.role,
        typ: 'access',
        jti: randomUUID(),
        ...(input.plan !== undefined && { plan: input.plan }),
        ...(input.brandId !== undefined && { brandId: input.brandId }),
      },
      accessTokenTtlSec,
    );
    const refresh = this.jwt.sign({ sub: input.sub, typ: 'refresh', jti: randomUUID(), fam: randomUUID() }, refreshTokenTtlSec);
    return { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: accessTokenTtlSec };
  }

  /**
   * Stop an access token from working, from the next request on. Resolves to false for a token
   * that is not one of ours (bad signature, not an access token); an expired one needs nothing.
   */
  async revokeAccessToken(token: string): Promise<boolean> {
    let claims: unknown;
    try {
      claims = this.jwt.verify(token, { ignoreExpiration: true });
    } catch {
      return false;
    }
    const c = claims as { typ?: unknown; jti?: unknown; exp?: unknown };
    if (c?.typ !== 'access' || typeof c.jti !== 'string' || typeof c.exp !== 'number') return false;
    await this.store.revokeAccessToken(c.jti, c.exp * 1000);
    return true;
  }
}

function assertIssueInput(input: IssueInput): void {
  if (typeof input !== 'object' || input === null) throw new TypeError('TokenService.issue() needs { sub, role }');
  if (typeof input.sub !== 'string' || input.sub.length === 0) throw new TypeError('TokenService.issue(): sub must be a non-empty string');
  if (!ROLES.includes(input.role)) throw new TypeError(`TokenService.issue(): role must be one of ${ROLES.join(', ')}`);
  for (const k of ['plan', 'brandId'] as const) {
    if (input[k] !== undefined && (typeof input[k] !== 'string' || input[k].length === 0)) {
      throw new TypeError(`TokenService.issue(): ${k} must be a non-empty string when given`);
    }
  }
}
