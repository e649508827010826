import { Controller, Get } from '@nestjs/common';
import { AffilyncClient, Scopes } from 'nest-provider-auth';

@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly affilync: AffilyncClient) {}

  @Get()
  @Scopes('campaigns:read')
  list() {
    return this.affilync.campaigns.list();
  }

  @Get('active-links')
  @Scopes('campaigns:read')
  async activeLinks() {
    let count = 0;
    for await (const link of this.affilync.links.list({ status: 'active' })) if (link.id.startsWith('lnk_')) count++;
    return { count };
  }
}
