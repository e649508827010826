import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, Public, Scopes, TokenService, type Principal } from '../../lib/index.js';

/** What an app built on TokenService exposes, for the e2e specs: refresh, rotation, who am I, a scoped route. */
@Controller()
export class TokenRoutes {
  constructor(private readonly tokens: TokenService) {}

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  refresh(@Body() body: { refresh_token: string }) {
    return this.tokens.refresh(body.refresh_token);
  }

  @Public()
  @Post('auth/rotate')
  @HttpCode(200)
  rotate(@Headers('authorization') authorization = '') {
    return this.tokens.rotateAccessToken(authorization.replace(/^Bearer /, ''));
  }

  @Get('me')
  me(@CurrentPrincipal() p: Principal) {
    return p;
  }

  @Get('campaigns')
  @Scopes('campaigns:read')
  campaigns() {
    return { ok: true };
  }
}
