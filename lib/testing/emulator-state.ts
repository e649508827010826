/**
 * The data the emulated providers hold, as `emulator.state` shows it. Field names are each
 * provider's (Affilync snake_case, Convertly camelCase); ids carry Affilync's documented prefixes;
 * money is a decimal string, dates are ISO 8601 strings. Every record is frozen.
 */

import type { CallOutcome, CommissionStatus, ConversionEventType, LinkStatus, TrackingNumberType } from '../dialects/affilync.types.js';
import type { ConvertlyCreatorStatus as CreatorStatus } from '../dialects/convertly.types.js';

// The documented value lists, as the clients type them (lib/dialects/).
export type AffilyncLinkStatus = LinkStatus;
export type AffilyncEventType = ConversionEventType;
/** NOT DOCUMENTED: the conversion.approved and conversion.rejected webhooks suggest these. */
export type AffilyncConversionStatus = 'pending' | 'approved' | 'rejected';
export type AffilyncNumberType = TrackingNumberType;
export type AffilyncCallOutcome = CallOutcome;
export type AffilyncCommissionStatus = CommissionStatus;
export type ConvertlyCreatorStatus = CreatorStatus;

export interface EmulatedCampaign {
  readonly id: string;
  readonly name: string;
  readonly status: 'active';
  readonly created_at: string;
}

export interface EmulatedCommissionTier {
  readonly tier: number;
  readonly min_conversions: number;
  /** Percent of the order amount, as a decimal string ("10.00" is 10 %). */
  readonly rate: string;
}

export interface EmulatedLink {
  readonly id: string;
  readonly campaign_id: string;
  readonly affiliate_id: string;
  readonly status: AffilyncLinkStatus;
  /** `https://track.affilync.com/c/<code>` */
  readonly tracking_url: string;
  /** `https://afl.ink/<code>` */
  readonly short_url: string;
  readonly landing_page_url: string | null;
  readonly sub_id_1: string | null;
  readonly sub_id_2: string | null;
  readonly sub_id_3: string | null;
  readonly created_at: string;
}

/** A click on a tracking link: its `id` is the `click_id` a conversion is tracked with. */
export interface EmulatedClick {
  readonly id: string;
  readonly link_id: string;
  readonly campaign_id: string;
  readonly affiliate_id: string;
  readonly created_at: string;
}

export interface EmulatedConversion {
  readonly id: string;
  readonly click_id: string;
  readonly order_id: string;
  readonly amount: string;
  readonly currency: string;
  readonly event_type: AffilyncEventType;
  readonly customer_email: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly link_id: string;
  readonly campaign_id: string;
  readonly affiliate_id: string;
  /** The affiliate's commission on it, in `currency`. */
  readonly commission: string;
  readonly status: AffilyncConversionStatus;
  readonly created_at: string;
}

export interface EmulatedCallNumber {
  readonly id: string;
  readonly type: AffilyncNumberType;
  /** E.164, e.g. `+15125550101`. */
  readonly phone_number: string;
  readonly area_code: string;
  readonly display_name: string | null;
  readonly campaign_id: string | null;
  readonly status: 'active';
  readonly created_at: string;
}

export interface EmulatedCall {
  readonly id: string;
  readonly number_id: string;
  readonly campaign_id: string | null;
  readonly caller_number: string;
  /** Seconds. */
  readonly duration: number;
  readonly outcome: AffilyncCallOutcome;
  /** When the call started. */
  readonly created_at: string;
}

export interface EmulatedCommission {
  readonly id: string;
  readonly conversion_id: string;
  readonly campaign_id: string;
  readonly affiliate_id: string;
  readonly amount: string;
  readonly currency: string;
  readonly status: AffilyncCommissionStatus;
  readonly created_at: string;
}

/** A registered webhook, as POST /webhooks answered it: without its signing secret, which is never shown. */
export interface EmulatedWebhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly status: 'active';
  readonly created_at: string;
}

/** What the emulator keeps of a webhook: the secret too, to sign its deliveries (never in `state`). */
export interface RegisteredWebhook extends EmulatedWebhook {
  readonly secret: string;
}

/** A Convertly creator ("affiliate" in its API). */
export interface EmulatedCreator {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly status: ConvertlyCreatorStatus;
  readonly createdAt: string;
}

/** A Convertly discount code (the emulator's own `/v1/discounts`; the docs give no path). */
export interface EmulatedDiscount {
  readonly id: string;
  readonly code: string;
  readonly type: 'percentage' | 'fixed_amount' | 'free_shipping';
  readonly value: string;
}

export interface AffilyncEmulatorState {
  readonly campaigns: readonly EmulatedCampaign[];
  /** Campaign id → its tiers, lowest first. */
  readonly commissionTiers: Readonly<Record<string, readonly EmulatedCommissionTier[]>>;
  readonly links: readonly EmulatedLink[];
  readonly clicks: readonly EmulatedClick[];
  readonly conversions: readonly EmulatedConversion[];
  readonly callNumbers: readonly EmulatedCallNumber[];
  readonly calls: readonly EmulatedCall[];
  readonly commissions: readonly EmulatedCommission[];
  readonly webhooks: readonly EmulatedWebhook[];
}

export interface ConvertlyEmulatorState {
  readonly affiliates: readonly EmulatedCreator[];
  readonly discounts: readonly EmulatedDiscount[];
}

/** A frozen snapshot of both providers' data, taken when `emulator.state` is read. */
export interface EmulatorState {
  readonly affilync: AffilyncEmulatorState;
  readonly convertly: ConvertlyEmulatorState;
}
