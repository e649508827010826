import type { AFFILYNC } from './affilync.dialect.js';
import type { AFFILYNC_RESOURCES } from './affilync.endpoints.js';
import type { Money } from './money.js';

/**
 * The shapes of Affilync's documented resources (PROVIDERS.md §1.4–1.8). Fields the docs show are
 * typed; where an example is [TRUNCATED] or a shape is NOT DOCUMENTED, the type says so and keeps
 * the rest of the object reachable as `unknown` through an index signature.
 */

type Prefixes = typeof AFFILYNC_RESOURCES.idPrefixes;

/** Ids carry the prefixes of the docs' examples. A string from elsewhere: check it, then cast (`id as CampaignId`). */
export type CampaignId = `${Prefixes['campaign']}${string}`;
export type LinkId = `${Prefixes['link']}${string}`;
export type ConversionId = `${Prefixes['conversion']}${string}`;
export type CommissionId = `${Prefixes['commission']}${string}`;
export type AffiliateId = `${Prefixes['affiliate']}${string}`;
export type AffilyncUserId = `${Prefixes['user']}${string}`;
/** The click id a tracking link adds to the landing page URL as `afk_cid` (and the pixel's `afk_cid` cookie). */
export type ClickId = `${Prefixes['click']}${string}`;
export type CallId = `${Prefixes['call']}${string}`;
export type TrackingNumberId = `${Prefixes['number']}${string}`;
export type CallFlowId = `${Prefixes['flow']}${string}`;
export type WebhookEndpointId = `${Prefixes['webhookEndpoint']}${string}`;
export type AffilyncEventId = `${Prefixes['event']}${string}`;

/** An ISO 8601 date and time as the docs' examples write it: `2026-03-21T15:00:00Z`. */
export type IsoDateTime = string;
/** A calendar date, `YYYY-MM-DD` (checked at run time before a request is sent). */
export type IsoDate = string;

/** api/errors: every documented `error_code`. */
export type AffilyncErrorCode = (typeof AFFILYNC.documentedErrorCodes)[number];
export type LinkStatus = (typeof AFFILYNC_RESOURCES.linkStatuses)[number];
export type ConversionEventType = (typeof AFFILYNC_RESOURCES.conversionEventTypes)[number];
export type TrackingNumberType = (typeof AFFILYNC_RESOURCES.trackingNumberTypes)[number];
export type CallOutcome = (typeof AFFILYNC_RESOURCES.callOutcomes)[number];
export type CommissionStatus = (typeof AFFILYNC_RESOURCES.commissionStatuses)[number];
export type AffilyncWebhookEventName = (typeof AFFILYNC_RESOURCES.webhookEvents)[number];
/** Three upper-case letters (ISO 4217). The docs name only the default, `USD`; the format is NOT DOCUMENTED. */
export type CurrencyCode = string;

/** §1.6: the `meta` of every list page. */
export interface AffilyncPageMeta {
  page: number;
  per_page: number;
  total: number;
}

/** §1.6: a list page as Affilync sends it. */
export interface AffilyncPage<T> {
  data: T[];
  meta: AffilyncPageMeta;
}

/** §1.6: `page` from 1 (default 1) and `per_page` from 1 to 100 (the client's default: 100). */
export interface AffilyncPageQuery {
  page?: number;
  per_page?: number;
}

/** GET /campaigns appears only as an auth example: no filters are documented. */
export type ListCampaignsQuery = AffilyncPageQuery;

/** A campaign. Only the `camp_` id is documented (the Campaigns API page was not found); the rest is passed on. */
export interface Campaign {
  id: CampaignId;
  readonly [field: string]: unknown;
}

/**
 * api/commissions: one tier of a campaign's commission structure. The types of `tier` and `rate`
 * are NOT DOCUMENTED, nor whether `rate` is a percentage or an amount per conversion, so `rate` is
 * not typed `Money`: it is passed on as sent.
 */
export interface CommissionTier {
  tier: number | string;
  min_conversions: number;
  rate: string | number;
}

export interface ListLinksQuery extends AffilyncPageQuery {
  campaign_id?: CampaignId;
  status?: LinkStatus;
}

/** api/links, POST /links. Limits on the sub ids and the URL are NOT DOCUMENTED. */
export interface CreateLinkParams {
  campaign_id: CampaignId;
  sub_id_1?: string;
  sub_id_2?: string;
  sub_id_3?: string;
  /** An absolute http(s) URL. */
  landing_page_url?: string;
}

/**
 * A tracking link. The docs do not show a link object's fields: the id, the campaign and `status`
 * follow from the filters, the request's fields are assumed to be echoed; anything else (tracking
 * URL on track.affilync.com, short URL on afl.ink) is passed on under the provider's own names.
 */
export interface Link {
  id: LinkId;
  campaign_id?: CampaignId;
  status?: LinkStatus;
  /** Whether a field that was not sent is absent or null is NOT DOCUMENTED: both are typed. */
  sub_id_1?: string | null;
  sub_id_2?: string | null;
  sub_id_3?: string | null;
  landing_page_url?: string | null;
  readonly [field: string]: unknown;
}

/** api/links, POST /links/bulk: `{ created, links }`. */
export interface CreateLinksResult {
  created: number;
  links: Link[];
}

/** api/conversions, POST /conversions/track. */
export interface TrackConversionParams {
  click_id: ClickId;
  /** De-duplicates: a second conversion with the same order id is refused (409 DUPLICATE_RESOURCE). */
  order_id: string;
  /** A decimal string, e.g. `'149.99'`; never a number. */
  amount: Money;
  /** Default `USD`. */
  currency?: CurrencyCode;
  event_type?: ConversionEventType;
  customer_email?: string;
  /** A JSON object of your own; its shape is NOT DOCUMENTED. */
  metadata?: Record<string, unknown>;
}

/**
 * A recorded conversion (`conv_` id). The answer's fields beyond `data` are NOT DOCUMENTED: the
 * request's fields are assumed echoed (`amount` as a decimal string, as every documented amount is).
 */
export interface Conversion {
  id: ConversionId;
  click_id?: ClickId;
  order_id?: string;
  amount?: Money;
  currency?: CurrencyCode;
  event_type?: ConversionEventType;
  readonly [field: string]: unknown;
}

/** GET /call-tracking/numbers documents no filters. */
export type ListTrackingNumbersQuery = AffilyncPageQuery;

/** api/call-tracking, POST /call-tracking/numbers. */
export interface CreateTrackingNumberParams {
  type: TrackingNumberType;
  area_code?: string;
  display_name?: string;
}

/** A tracking phone number (`num_` id). Fields beyond the request's are NOT DOCUMENTED. */
export interface TrackingNumber {
  id: TrackingNumberId;
  type?: TrackingNumberType;
  area_code?: string;
  /** Absent or null when none was given (NOT DOCUMENTED which). */
  display_name?: string | null;
  readonly [field: string]: unknown;
}

/** api/call-tracking, GET /call-tracking/calls. Dates are `YYYY-MM-DD`. */
export interface ListCallsQuery extends AffilyncPageQuery {
  start_date?: IsoDate;
  end_date?: IsoDate;
  number_id?: TrackingNumberId;
  campaign_id?: CampaignId;
  outcome?: CallOutcome;
}

/**
 * A call (`call_` id). Its fields are NOT DOCUMENTED beyond the filters; the call.completed
 * webhook says a call has a duration (its unit is NOT DOCUMENTED) and an outcome.
 */
export interface Call {
  id: CallId;
  number_id?: TrackingNumberId;
  /** Null for a number that is not tied to a campaign (NOT DOCUMENTED: assumed). */
  campaign_id?: CampaignId | null;
  outcome?: CallOutcome;
  duration?: number;
  readonly [field: string]: unknown;
}

/** A call's recording: `recording_url`; `transcript_url` is [TRUNCATED] in the docs. */
export interface CallRecording {
  recording_url: string;
  /** Absent or null when there is none (a voicemail, say): NOT DOCUMENTED which. */
  transcript_url?: string | null;
  readonly [field: string]: unknown;
}

/** api/commissions, GET /commissions. `date_from`/`date_to`: `YYYY-MM-DD` (the format is NOT DOCUMENTED). */
export interface ListCommissionsQuery extends AffilyncPageQuery {
  status?: CommissionStatus;
  campaign_id?: CampaignId;
  date_from?: IsoDate;
  date_to?: IsoDate;
}

/** A commission (`comm_` id). Fields beyond id, status and campaign are NOT DOCUMENTED (passed on). */
export interface Commission {
  id: CommissionId;
  status: CommissionStatus;
  campaign_id?: CampaignId;
  readonly [field: string]: unknown;
}

/** GET /affiliate/earnings/summary: the documented amounts; the list is [TRUNCATED] after them. */
export interface EarningsSummary {
  total_earned: Money;
  pending: Money;
  available_for_payout: Money;
  readonly [field: string]: unknown;
}

/** api/webhooks, POST /webhooks. The caller chooses the signing secret (the docs' example: `whsec_…`). */
export interface CreateWebhookEndpointParams {
  /** An absolute http(s) URL (the docs' example is https). */
  url: string;
  events: readonly AffilyncWebhookEventName[];
  secret: string;
}

/** api/webhooks: the 201 answer. `status` other than `active` is NOT DOCUMENTED. */
export interface WebhookEndpoint {
  id: WebhookEndpointId;
  url: string;
  events: AffilyncWebhookEventName[];
  status: 'active' | (string & {});
  created_at: IsoDateTime;
}
