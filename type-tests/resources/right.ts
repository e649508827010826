/**
 * Typed resources as a user writes them: all of this compiles (test/resources-typing.e2e-spec.ts
 * checks it, with wrong.ts beside it for what must not).
 */
import { Injectable } from '@nestjs/common';
import {
  AffilyncClient,
  ConvertlyClient,
  ProviderApiError,
  fromMinorUnits,
  isMoney,
  toMinorUnits,
  type AffilyncErrorCode,
  type AffilyncPage,
  type CallOutcome,
  type CommissionStatus,
  type CommissionTier,
  type Conversion,
  type ConversionEventType,
  type ConvertlyAffiliate,
  type ConvertlyPage,
  type EarningsSummary,
  type Link,
  type LinkStatus,
  type Money,
  type ProviderFieldError,
  type TrackingNumberType,
  type WebhookEndpoint,
} from 'nest-provider-auth';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const linkStatuses: Equals<LinkStatus, 'active' | 'deactivated'> = true;
export const eventTypes: Equals<ConversionEventType, 'sale' | 'lead' | 'signup' | 'trial'> = true;
export const numberTypes: Equals<TrackingNumberType, 'local' | 'toll_free' | 'vanity'> = true;
export const outcomes: Equals<CallOutcome, 'qualified' | 'unqualified' | 'voicemail' | 'abandoned'> = true;
export const commissionStatuses: Equals<CommissionStatus, 'pending' | 'approved' | 'paid' | 'cancelled' | 'reversed'> = true;
export const errorCodes: Equals<
  AffilyncErrorCode,
  | 'TOKEN_EXPIRED'
  | 'TOKEN_INVALID'
  | 'INSUFFICIENT_SCOPE'
  | 'RESOURCE_NOT_FOUND'
  | 'VALIDATION_ERROR'
  | 'DUPLICATE_RESOURCE'
  | 'RATE_LIMIT_EXCEEDED'
  | 'CAMPAIGN_NOT_ACTIVE'
  | 'AFFILIATE_NOT_APPROVED'
  | 'PAYMENT_REQUIRED'
  | 'QUOTA_EXCEEDED'
> = true;

@Injectable()
export class Shop {
  constructor(
    private readonly affilync: AffilyncClient,
    private readonly convertly: ConvertlyClient,
  ) {}

  async everything(): Promise<void> {
    const firstPage: AffilyncPage<Link> = await this.affilync.links.list({ campaign_id: 'camp_a1', status: 'active', per_page: 50 });
    const total: number = firstPage.meta.total;
    for await (const link of this.affilync.links.list({ status: 'deactivated' })) {
      const id: `lnk_${string}` = link.id;
      void id;
    }
    const link: Link = await this.affilync.links.create({ campaign_id: 'camp_a1', sub_id_1: 'spring', landing_page_url: 'https://shop.example/' });
    const bulk = await this.affilync.links.createMany([{ campaign_id: link.campaign_id ?? 'camp_a1' }]);
    const created: number = bulk.created;

    const conversion: Conversion = await this.affilync.conversions.track({
      click_id: 'clk_9f8e',
      order_id: 'ORD-1001',
      amount: '149.99',
      currency: 'EUR',
      event_type: 'signup',
      customer_email: 'buyer@example.com',
      metadata: { coupon: 'SPRING' },
    });
    const fromCents: Money = fromMinorUnits(14_999);
    await this.affilync.conversions.track({ click_id: 'clk_9f8e', order_id: 'ORD-1002', amount: fromCents });
    const cents: number = toMinorUnits(conversion.amount ?? '0.00');

    const tiers: CommissionTier[] = await this.affilync.campaigns.commissionTiers('camp_a1');
    const campaigns = await this.affilync.campaigns.list({ page: 2 });
    await this.affilync.callTracking.numbers.create({ type: 'vanity', area_code: '415', display_name: 'Main' });
    await this.affilync.callTracking.numbers.list();
    const calls = await this.affilync.callTracking.calls.list({ start_date: '2026-03-01', end_date: '2026-03-31', outcome: 'qualified', number_id: 'num_1' });
    const recording = await this.affilync.callTracking.calls.recording(calls.data[0].id);
    const url: string = recording.recording_url;
    for await (const commission of this.affilync.commissions.list({ status: 'reversed', date_from: '2026-01-01' })) {
      const status: CommissionStatus = commission.status;
      void status;
    }
    await this.affilync.commissions.get('comm_1', { signal: AbortSignal.timeout(1_000) });
    const earnings: EarningsSummary = await this.affilync.earnings.summary();
    const owed: Money = earnings.available_for_payout;
    const endpoint: WebhookEndpoint = await this.affilync.webhooks.create({
      url: 'https://app.example/hooks/affilync',
      events: ['conversion.created', 'payout.completed'],
      secret: 'whsec_abc',
    });

    const creators: ConvertlyPage<ConvertlyAffiliate> = await this.convertly.affiliates.list({ limit: 100 });
    for await (const creator of this.convertly.affiliates.list({ cursor: creators.meta.cursor ?? undefined })) {
      if (creator.status === 'paused') break;
    }

    const someString: string = '12.30';
    if (isMoney(someString)) await this.affilync.conversions.track({ click_id: 'clk_1', order_id: 'o', amount: someString });
    void [total, created, cents, tiers, campaigns, url, owed, endpoint];
  }

  explain(err: unknown): string {
    if (!(err instanceof ProviderApiError)) return 'unknown';
    const fields: readonly ProviderFieldError[] = err.fields ?? [];
    switch (err.code) {
      case 'DUPLICATE_RESOURCE':
        return err.retried ? 'already tracked by our earlier attempt' : 'already tracked';
      case 'QUOTA_EXCEEDED':
        return 'upgrade the plan';
      case 'Not Found': // a Convertly reason phrase is a code too
        return 'gone';
      default:
        return fields.map((f) => `${f.field}: ${f.message ?? ''}`).join('; ');
    }
  }
}
