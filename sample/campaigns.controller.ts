import { Body, Controller, Get, Post } from '@nestjs/common';
import { AffilyncClient, CurrentPrincipal, Roles, Scopes, type Principal } from '../lib/index.js';

/** Routes guarded by scope and role, answering from the Affilync client. */
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly affilync: AffilyncClient) {}

  @Get()
  @Scopes('campaigns:read')
  async list(@CurrentPrincipal() who: Principal) {
    const campaigns = await this.affilync.campaigns.list();
    return { requestedBy: who.kind === 'user' ? who.sub : who.keyId, campaigns: campaigns.data };
  }

  @Post('archive')
  @Roles('admin')
  @Scopes('campaigns:write')
  archive(@Body() body: { id?: string }) {
    return { archived: body?.id ?? null };
  }
}
