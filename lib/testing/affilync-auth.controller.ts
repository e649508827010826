import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { AFFILYNC, Public, TokenService, type TokenPair } from '../index.js';
import { AccessTokenLedger } from './access-token-ledger.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { UserDirectory } from './emulator-users.js';
import { missingStrings } from './request-params.js';

type JsonBody = Record<string, unknown> | undefined;

/**
 * Affilync's login and refresh, answered by the library's TokenService: the documented pair, and
 * rotation (a used refresh token gets 401 TOKEN_INVALID, and its replay revokes the whole family).
 */
@Controller()
@Public()
export class AffilyncAuthController {
  constructor(
    private readonly users: UserDirectory,
    private readonly tokens: TokenService,
    private readonly ledger: AccessTokenLedger,
  ) {}

  @Post(AFFILYNC.loginPath)
  @HttpCode(200)
  async login(@Body() body: JsonBody): Promise<TokenPair> {
    const missing = missingStrings(body, ['email', 'password']);
    if (!body || missing.length > 0) throw new EmulatorHttpError(422, 'Validation failed', missing);
    const user = this.users.authenticate(body.email as string, body.password as string);
    if (!user) throw new EmulatorHttpError(401, 'Invalid email or password');
    return this.recorded(() => this.tokens.issue({ sub: user.id, role: user.role, plan: user.plan, brandId: user.brandId }));
  }

  @Post(AFFILYNC.refreshPath)
  @HttpCode(200)
  async refresh(@Body() body: JsonBody): Promise<TokenPair> {
    const missing = missingStrings(body, ['refresh_token']);
    if (!body || missing.length > 0) throw new EmulatorHttpError(422, 'Validation failed', missing);
    return this.recorded(() => this.tokens.refresh(body.refresh_token as string));
  }

  /** The pair, with its access token's exact deadline noted (timed from before it was signed). */
  private async recorded(issue: () => Promise<TokenPair>): Promise<TokenPair> {
    const issuedAt = Date.now();
    const pair = await issue();
    this.ledger.record(pair.access_token, issuedAt);
    return pair;
  }
}
