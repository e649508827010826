/**
 * With ProviderAuthScopes augmented (./provider-auth-scopes.ts), `@Scopes()` and
 * `ApiKeyService.create()` take that catalogue's scopes and nothing else, default scopes included.
 * Each `@ts-expect-error` must meet an error on its next line (test/incoming/scope-typing.e2e-spec.ts).
 */
import { Controller, Get, Module, Post } from '@nestjs/common';
import { ApiKeyService, ProviderAuthModule, Scopes, type Scope } from 'nest-provider-auth';
import { APP_SCOPES } from './provider-auth-scopes.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const scopeIsTheAppCatalogue: Equals<Scope, 'reports:read' | 'reports:write' | 'campaigns:read'> = true;

@Controller('reports')
@Scopes('reports:read')
export class ReportsController {
  constructor(private readonly keys: ApiKeyService) {}

  @Get() list() {}

  @Scopes('reports:write') @Post() create() {}

  @Scopes('campaigns:read', 'reports:read') @Get('campaigns') campaigns() {}

  // @ts-expect-error 'links:read' is a default scope, but not in this catalogue
  @Scopes('links:read') @Get('links') links() {}

  // @ts-expect-error 'report:read' is a typo of 'reports:read'
  @Scopes('report:read') @Get('typo') typo() {}

  @Post('keys') issue() {
    return this.keys.create({ label: 'reporting', scopes: ['reports:read', 'reports:write'] });
  }

  @Post('keys/default') issueDefault() {
    // @ts-expect-error 'analytics:read' is not in this catalogue
    return this.keys.create({ label: 'reporting', scopes: ['reports:read', 'analytics:read'] });
  }
}

@Module({
  imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: process.env.JWT_SECRET ?? '', scopes: [...APP_SCOPES] } })],
  controllers: [ReportsController],
})
export class AppModule {}
