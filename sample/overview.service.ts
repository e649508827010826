import { Injectable, Optional } from '@nestjs/common';
import { AffilyncClient, ConvertlyClient } from '../lib/index.js';

interface Listed<T> {
  data: T[];
  meta?: Record<string, unknown>;
}

/**
 * Combines both providers' data; the clients handle login, refresh and replays. @Optional(): the
 * sample runs with either provider left out (an unconfigured client says so in `configured`).
 */
@Injectable()
export class OverviewService {
  constructor(
    @Optional() private readonly affilync: AffilyncClient,
    @Optional() private readonly convertly: ConvertlyClient,
  ) {}

  async overview() {
    const [campaigns, affiliates] = await Promise.all([
      this.affilync.configured ? this.affilync.get<Listed<unknown>>('/campaigns') : undefined,
      this.convertly.configured ? this.convertly.get<Listed<unknown>>('/affiliates', { query: { limit: 20 } }) : undefined,
    ]);
    return {
      affilync: campaigns ? { campaigns: campaigns.data, total: campaigns.meta?.total } : 'not configured',
      convertly: affiliates ? { affiliates: affiliates.data, total: affiliates.meta?.total } : 'not configured',
    };
  }
}
