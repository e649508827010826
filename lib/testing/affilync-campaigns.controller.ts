import { Controller, Get, Param } from '@nestjs/common';
import { Scopes } from '../index.js';
import { affilyncPage } from './affilync-pages.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { AFFILYNC_CAMPAIGNS } from './fixtures.js';
import { SearchParams } from './request-params.js';

/** Affilync's campaigns: a page-paginated list, and single campaigns at top level (no `data` wrapper). */
@Controller('campaigns')
@Scopes('campaigns:read')
export class AffilyncCampaignsController {
  @Get()
  list(@SearchParams() query: URLSearchParams) {
    return affilyncPage(AFFILYNC_CAMPAIGNS, query);
  }

  @Get(':id')
  one(@Param('id') id: string) {
    const campaign = AFFILYNC_CAMPAIGNS.find((c) => c.id === id);
    if (!campaign) throw new EmulatorHttpError(404, 'Campaign not found');
    return campaign;
  }
}
