import { Controller, Get, Param } from '@nestjs/common';
import { Scopes } from '../index.js';
import { AffilyncData } from './affilync-data.js';
import { affilyncPage } from './affilync-pages.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { SearchParams } from './request-params.js';

/**
 * Affilync's campaigns: the page-paginated list (api/authentication's example call) and a campaign's
 * commission tiers (api/commissions, hence `commissions:read`: the scope that page requires).
 */
@Controller('campaigns')
export class AffilyncCampaignsController {
  constructor(private readonly store: AffilyncData) {}

  @Get()
  @Scopes('campaigns:read')
  list(@SearchParams() query: URLSearchParams) {
    return affilyncPage(this.store.campaigns, query);
  }

  /** `{ data: [{ tier, min_conversions, rate }] }`, lowest tier first; not paginated (a handful per campaign). */
  @Get(':id/commission-tiers')
  @Scopes('commissions:read')
  commissionTiers(@Param('id') id: string) {
    const tiers = this.store.tiers(id);
    if (!tiers) throw new EmulatorHttpError(404, 'Campaign not found');
    return { data: tiers };
  }
}
