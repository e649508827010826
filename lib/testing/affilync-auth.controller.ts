import { Controller, HttpCode, Post } from '@nestjs/common';
import { AFFILYNC, Public, TokenService, type TokenPair } from '../index.js';
import { AccessTokenLedger } from './access-token-ledger.js';
import { FieldProblems } from './affilync-input.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { UserDirectory } from './emulator-users.js';
import { JsonBody } from './request-params.js';

/**
 * Affilync's login and refresh, answered by the library's TokenService: the documented pair, and
 * rotation (a used refresh token gets 401 TOKEN_INVALID, and its replay revokes the whole family).
 * A malformed JSON body gets 400, a missing field 422 with `fields[]` (api/errors).
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
  async login(@JsonBody() body: unknown): Promise<TokenPair> {
    const problems = new FieldProblems();
    const o = problems.object(body);
    const email = problems.requiredString(o, 'email');
    const password = problems.requiredString(o, 'password');
    problems.throwIfAny();
    const user = this.users.authenticate(email!, password!);
    if (!user) throw new EmulatorHttpError(401, 'Invalid email or password');
    return this.recorded(() => this.tokens.issue({ sub: user.id, role: user.role, plan: user.plan, brandId: user.brandId }));
  }

  @Post(AFFILYNC.refreshPath)
  @HttpCode(200)
  async refresh(@JsonBody() body: unknown): Promise<TokenPair> {
    const problems = new FieldProblems();
    const refreshToken = problems.requiredString(problems.object(body), 'refresh_token');
    problems.throwIfAny();
    return this.recorded(() => this.tokens.refresh(refreshToken!));
  }

  /** The pair, with its access token's exact deadline noted (timed from before it was signed). */
  private async recorded(issue: () => Promise<TokenPair>): Promise<TokenPair> {
    const issuedAt = Date.now();
    const pair = await issue();
    this.ledger.record(pair.access_token, issuedAt);
    return pair;
  }
}
