import { Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { CONVERTLY, Public, TokenService } from '../index.js';
import { AccessTokenLedger } from './access-token-ledger.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { UserDirectory } from './emulator-users.js';
import { JsonBody } from './request-params.js';

/** Convertly's login (an access token only, no refresh token, no expires_in) and its refresh. */
@Controller()
export class ConvertlyAuthController {
  constructor(
    private readonly users: UserDirectory,
    private readonly tokens: TokenService,
    private readonly ledger: AccessTokenLedger,
  ) {}

  @Post(CONVERTLY.loginPath)
  @Public()
  @HttpCode(200)
  async login(@JsonBody() body: unknown) {
    const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof o.email !== 'string' || typeof o.password !== 'string') throw new EmulatorHttpError(400, 'Validation failed');
    const user = this.users.authenticate(o.email, o.password);
    if (!user) throw new EmulatorHttpError(401, 'Invalid credentials');
    const issuedAt = Date.now();
    // No plan claim: the plan gate reads the user's plan as it is now (setPlan), not as it was.
    // The pair's refresh token is dropped: Convertly has none.
    const { access_token } = await this.tokens.issue({ sub: user.id, role: user.role, brandId: user.brandId });
    this.ledger.record(access_token, issuedAt);
    return { data: { accessToken: access_token, user: { id: user.id, email: user.email, brandId: user.brandId } } };
  }

  /**
   * Bearer the current token, no body: a new token, and the one sent dies at once. Guarded like
   * the resource routes (so a missing, revoked or expired token gets the guard's 401), but not
   * plan-gated.
   */
  @Post(CONVERTLY.refreshPath)
  @HttpCode(200)
  async refresh(@Headers('authorization') authorization: string) {
    // The guard accepted the header, so it is exactly `Bearer <token>`.
    const token = authorization.slice('Bearer '.length);
    const issuedAt = Date.now();
    const { access_token } = await this.tokens.rotateAccessToken(token);
    this.ledger.record(access_token, issuedAt);
    return { data: { accessToken: access_token } };
  }
}
