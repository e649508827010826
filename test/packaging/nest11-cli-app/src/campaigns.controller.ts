import { Controller, Get } from '@nestjs/common';
import { AffilyncClient, Scopes } from 'nest-provider-auth';

@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly affilync: AffilyncClient) {}

  @Get()
  @Scopes('campaigns:read')
  list() {
    return this.affilync.get<{ data: unknown[] }>('/campaigns');
  }
}
