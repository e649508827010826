import { Controller, Get, Param } from '@nestjs/common';
import { Scopes } from '../index.js';
import { AffilyncData } from './affilync-data.js';
import { FieldProblems, inDateRange } from './affilync-input.js';
import { affilyncPage } from './affilync-pages.js';
import { COMMISSION_STATUSES, DEFAULT_CURRENCY } from './affilync-vocabulary.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import type { AffilyncCommissionStatus, EmulatedCommission } from './emulator-state.js';
import { sumAmounts } from './money.js';
import { SearchParams } from './request-params.js';

/** Affilync's commissions (api/commissions, which requires `commissions:read`): the filtered list and one commission. */
@Controller('commissions')
@Scopes('commissions:read')
export class AffilyncCommissionsController {
  constructor(private readonly store: AffilyncData) {}

  /** Filters: `status`, `campaign_id`, `date_from`/`date_to` (YYYY-MM-DD of `created_at`, inclusive, UTC). */
  @Get()
  list(@SearchParams() query: URLSearchParams) {
    const problems = new FieldProblems();
    const status = problems.queryOneOf(query, 'status', COMMISSION_STATUSES);
    const from = problems.queryDate(query, 'date_from');
    const to = problems.queryDate(query, 'date_to');
    problems.dateOrder(from, to, 'date_to', 'date_from');
    const campaignId = query.get('campaign_id');
    const commissions = this.store.commissions.filter(
      (c) => (status === null || c.status === status) && (campaignId === null || c.campaign_id === campaignId) && inDateRange(c.created_at, from, to),
    );
    return affilyncPage(commissions, query, problems);
  }

  /** `{ data: commission }`. */
  @Get(':id')
  one(@Param('id') id: string): { data: EmulatedCommission } {
    const commission = this.store.commissions.find((c) => c.id === id);
    if (!commission) throw new EmulatorHttpError(404, 'Commission not found');
    return { data: commission };
  }
}

/**
 * The affiliate's earnings (api/commissions): `data.total_earned`, `pending`, `available_for_payout`,
 * from the commissions in USD. Earned is approved plus paid; available is approved, not yet paid.
 */
@Controller('affiliate/earnings')
@Scopes('commissions:read')
export class AffilyncEarningsController {
  constructor(private readonly store: AffilyncData) {}

  @Get('summary')
  summary() {
    const usd = this.store.commissions.filter((c) => c.currency === DEFAULT_CURRENCY);
    const total = (...statuses: AffilyncCommissionStatus[]) => sumAmounts(usd.filter((c) => statuses.includes(c.status)).map((c) => c.amount));
    return {
      data: {
        total_earned: total('approved', 'paid'),
        pending: total('pending'),
        available_for_payout: total('approved'),
        paid: total('paid'),
        currency: DEFAULT_CURRENCY,
      },
    };
  }
}
