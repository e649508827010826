import { Body, Controller, Get, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { CurrentPrincipal, Public, TokenService, type Principal } from '../lib/index.js';
import { findUser } from './users.js';

/** The app's own login and refresh, in Affilync's documented shapes. */
@Controller('auth')
export class AuthController {
  constructor(private readonly tokens: TokenService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: { email?: unknown; password?: unknown }) {
    const user = findUser(body?.email, body?.password);
    if (!user) throw new UnauthorizedException({ detail: 'Invalid email or password', error_code: 'TOKEN_INVALID', status: 401 });
    return this.tokens.issue({ sub: user.id, role: user.role, plan: user.plan });
  }

  /** Rotates: the refresh token used dies; replaying it revokes the whole family. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: { refresh_token?: unknown }) {
    return this.tokens.refresh(String(body?.refresh_token ?? ''));
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return principal;
  }
}
