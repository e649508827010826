/**
 * Without an augmentation of ProviderAuthScopes, `@Scopes()` and `ApiKeyService.create()` take the
 * default catalogue's twelve scopes, and anything else does not compile. Each `@ts-expect-error`
 * must meet an error on its next line (test/incoming/scope-typing.e2e-spec.ts checks which).
 */
import { Body, Controller, Get, Post } from '@nestjs/common';
import { AFFILYNC, ApiKeyService, Scopes, type DefaultScope, type Scope } from 'nest-provider-auth';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const scopeIsTheDefaultCatalogue: Equals<Scope, DefaultScope> = true;
export const defaultCatalogueIsAffilyncs: Equals<DefaultScope, (typeof AFFILYNC.scopes)[number]> = true;

@Controller('campaigns')
@Scopes('campaigns:read')
export class CampaignsController {
  constructor(private readonly keys: ApiKeyService) {}

  @Get() list() {}

  @Scopes('campaigns:write', 'links:write') @Post() create() {}

  @Scopes() @Get('any') anyCredential() {}

  // @ts-expect-error 'campaign:read' is a typo of 'campaigns:read'
  @Scopes('campaign:read') @Get('typo') typo() {}

  // @ts-expect-error 'reports:read' is in no catalogue until ProviderAuthScopes is augmented
  @Scopes('links:read', 'reports:read') @Get('reports') reports() {}

  @Post('keys') issue() {
    return this.keys.create({ label: 'reporting', scopes: ['analytics:read', 'commissions:read'] });
  }

  @Post('keys/typo') issueTypo() {
    // @ts-expect-error 'analytics:reed' is not a scope
    return this.keys.create({ label: 'reporting', scopes: ['analytics:reed'] });
  }

  @Post('keys/from-request') issueFromRequest(@Body() body: { label: string; scopes: string[] }) {
    // @ts-expect-error a request's strings are not scopes until checked
    return this.keys.create({ label: body.label, scopes: body.scopes });
  }

  /** Cast them: create() checks them at run time and answers 422 VALIDATION_ERROR for an unknown one. */
  @Post('keys/from-request-cast') issueFromRequestCast(@Body() body: { label: string; scopes: string[] }) {
    return this.keys.create({ label: body.label, scopes: body.scopes as Scope[] });
  }
}

// A class decorator is typed too.
// @ts-expect-error 'webhook:manage' is a typo of 'webhooks:manage'
@Scopes('webhook:manage')
@Controller('webhooks')
export class WebhooksController {}
