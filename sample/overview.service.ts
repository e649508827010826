import { Injectable, Optional } from '@nestjs/common';
import { AffilyncClient, ConvertlyClient } from '../lib/index.js';

/**
 * Combines both providers' data through the typed methods; the clients handle login, refresh and
 * replays. @Optional(): the sample runs with either provider left out (an unconfigured client says
 * so in `configured`).
 */
@Injectable()
export class OverviewService {
  constructor(
    @Optional() private readonly affilync: AffilyncClient,
    @Optional() private readonly convertly: ConvertlyClient,
  ) {}

  async overview() {
    const [affilync, convertly] = await Promise.all([
      this.affilync.configured ? this.affilyncOverview() : undefined,
      this.convertly.configured ? this.convertly.affiliates.list({ limit: 20 }) : undefined,
    ]);
    return {
      affilync: affilync ?? 'not configured',
      convertly: convertly ? { affiliates: convertly.data, total: convertly.meta.total } : 'not configured',
    };
  }

  private async affilyncOverview() {
    const [campaigns, activeLinks, earnings] = await Promise.all([
      this.affilync.campaigns.list(),
      // One item is enough: the page's meta.total counts them all.
      this.affilync.links.list({ status: 'active', per_page: 1 }),
      this.affilync.earnings.summary(),
    ]);
    return {
      campaigns: campaigns.data,
      total: campaigns.meta.total,
      activeLinks: activeLinks.meta.total,
      // Decimal strings, as Affilync sends money: never JavaScript numbers.
      earnings: { totalEarned: earnings.total_earned, pending: earnings.pending, availableForPayout: earnings.available_for_payout },
    };
  }
}
