import { affilyncDialect } from '../../dialects/affilync.dialect.js';
import { AFFILYNC_ENDPOINTS } from '../../dialects/affilync.endpoints.js';
import type {
  AffilyncPageMeta,
  Call,
  CallId,
  CallRecording,
  Campaign,
  CampaignId,
  Commission,
  CommissionId,
  CommissionTier,
  Conversion,
  CreateLinkParams,
  CreateLinksResult,
  CreateTrackingNumberParams,
  CreateWebhookEndpointParams,
  EarningsSummary,
  Link,
  ListCallsQuery,
  ListCampaignsQuery,
  ListCommissionsQuery,
  ListLinksQuery,
  ListTrackingNumbersQuery,
  TrackConversionParams,
  TrackingNumber,
  WebhookEndpoint,
} from '../../dialects/affilync.types.js';
import { ProviderApiError } from '../errors.js';
import { Endpoint, type ResourceCallOptions, type ResourceHost } from './endpoint.js';
import type { ListPromise } from './list-promise.js';

/** An Affilync list: awaited, the first page `{ data, meta: { page, per_page, total } }`; iterated, every item. */
export type AffilyncList<T> = ListPromise<T, AffilyncPageMeta>;

export interface AffilyncCampaigns {
  /**
   * GET /campaigns, 100 per page unless `per_page` says otherwise. The docs show this path only as
   * an auth example: no filters and no campaign fields are documented.
   */
  list(query?: ListCampaignsQuery, options?: ResourceCallOptions): AffilyncList<Campaign>;
  /** GET /campaigns/{id}/commission-tiers: the tiers, unwrapped from the documented `{ data: [...] }`. */
  commissionTiers(campaignId: CampaignId, options?: ResourceCallOptions): Promise<CommissionTier[]>;
}

export interface AffilyncLinks {
  /** GET /links, filtered by campaign and status, 100 per page unless `per_page` says otherwise. */
  list(query?: ListLinksQuery, options?: ResourceCallOptions): AffilyncList<Link>;
  /**
   * POST /links: 201 with the link at the top level (no `data` envelope). Sent once, never retried:
   * a retry could create a second link.
   */
  create(params: CreateLinkParams, options?: ResourceCallOptions): Promise<Link>;
  /** POST /links/bulk `{ links }`: 201 with `{ created, links }` at the top level. Sent once, never retried. */
  createMany(links: readonly CreateLinkParams[], options?: ResourceCallOptions): Promise<CreateLinksResult>;
}

export interface AffilyncConversions {
  /**
   * POST /conversions/track: 201 with `{ data: {...} }`, unwrapped to the conversion. Affilync
   * de-duplicates on `order_id`, so this call is retried like a GET (5xx, dropped connection, 429).
   * A 409 DUPLICATE_RESOURCE means that order id is already recorded; with `retried: true` on the
   * error, it was recorded by an earlier attempt of this very call: the conversion is tracked.
   */
  track(params: TrackConversionParams, options?: ResourceCallOptions): Promise<Conversion>;
}

export interface AffilyncTrackingNumbers {
  /** GET /call-tracking/numbers (no filters documented), 100 per page unless `per_page` says otherwise. */
  list(query?: ListTrackingNumbersQuery, options?: ResourceCallOptions): AffilyncList<TrackingNumber>;
  /** POST /call-tracking/numbers: 201; the envelope is not documented (bare or `{ data }`, both unwrapped). Sent once. */
  create(params: CreateTrackingNumberParams, options?: ResourceCallOptions): Promise<TrackingNumber>;
}

export interface AffilyncCalls {
  /** GET /call-tracking/calls, filtered by dates (YYYY-MM-DD), number, campaign and outcome; 100 per page by default. */
  list(query?: ListCallsQuery, options?: ResourceCallOptions): AffilyncList<Call>;
  /** GET /call-tracking/calls/{id}/recording; the envelope is not documented (bare or `{ data }`, both unwrapped). */
  recording(callId: CallId, options?: ResourceCallOptions): Promise<CallRecording>;
}

export interface AffilyncCallTracking {
  numbers: AffilyncTrackingNumbers;
  calls: AffilyncCalls;
}

export interface AffilyncCommissions {
  /** GET /commissions, filtered by status, campaign and dates (YYYY-MM-DD); 100 per page by default. */
  list(query?: ListCommissionsQuery, options?: ResourceCallOptions): AffilyncList<Commission>;
  /** GET /commissions/{id}; the envelope is not documented (bare or `{ data }`, both unwrapped). */
  get(commissionId: CommissionId, options?: ResourceCallOptions): Promise<Commission>;
}

export interface AffilyncEarnings {
  /** GET /affiliate/earnings/summary: the docs name `data.total_earned`; a bare answer is accepted too. */
  summary(options?: ResourceCallOptions): Promise<EarningsSummary>;
}

export interface AffilyncWebhooks {
  /**
   * POST /webhooks: 201 with the endpoint at the top level (`wh_` id). Sent once. The secret is
   * yours (`whsec_…` in the docs' example): no error ever quotes it, whatever Affilync echoes.
   */
  create(params: CreateWebhookEndpointParams, options?: ResourceCallOptions): Promise<WebhookEndpoint>;
}

/** Every documented Affilync resource, as namespaces on the client. */
export interface AffilyncResources {
  campaigns: AffilyncCampaigns;
  links: AffilyncLinks;
  conversions: AffilyncConversions;
  callTracking: AffilyncCallTracking;
  commissions: AffilyncCommissions;
  earnings: AffilyncEarnings;
  webhooks: AffilyncWebhooks;
}

/** The namespaces of one Affilync client (or account), sending through `host`. */
export function affilyncResources(host: ResourceHost): AffilyncResources {
  const e = (spec: (typeof AFFILYNC_ENDPOINTS)[keyof typeof AFFILYNC_ENDPOINTS]) => new Endpoint(host, affilyncDialect, spec);
  const ep = {
    listCampaigns: e(AFFILYNC_ENDPOINTS.listCampaigns),
    commissionTiers: e(AFFILYNC_ENDPOINTS.commissionTiers),
    listLinks: e(AFFILYNC_ENDPOINTS.listLinks),
    createLink: e(AFFILYNC_ENDPOINTS.createLink),
    createLinks: e(AFFILYNC_ENDPOINTS.createLinks),
    trackConversion: e(AFFILYNC_ENDPOINTS.trackConversion),
    listTrackingNumbers: e(AFFILYNC_ENDPOINTS.listTrackingNumbers),
    createTrackingNumber: e(AFFILYNC_ENDPOINTS.createTrackingNumber),
    listCalls: e(AFFILYNC_ENDPOINTS.listCalls),
    callRecording: e(AFFILYNC_ENDPOINTS.callRecording),
    listCommissions: e(AFFILYNC_ENDPOINTS.listCommissions),
    getCommission: e(AFFILYNC_ENDPOINTS.getCommission),
    earningsSummary: e(AFFILYNC_ENDPOINTS.earningsSummary),
    createWebhookEndpoint: e(AFFILYNC_ENDPOINTS.createWebhookEndpoint),
  };
  return {
    campaigns: {
      list: (query, options) => ep.listCampaigns.list(query, options),
      commissionTiers: (campaignId, options) => ep.commissionTiers.call({ id: campaignId }, options),
    },
    links: {
      list: (query, options) => ep.listLinks.list(query, options),
      create: (params, options) => ep.createLink.call({ params }, options),
      // The body `{ links }` itself is taken too, as sent to POST /links/bulk.
      createMany: (links, options) => ep.createLinks.call({ params: isBulkBody(links) ? links : { links } }, options),
    },
    conversions: {
      track: (params, options) =>
        ep.trackConversion.call<Conversion>({ params }, options).catch((error: unknown) => Promise.reject(explainRetriedDuplicate(error))),
    },
    callTracking: {
      numbers: {
        list: (query, options) => ep.listTrackingNumbers.list(query, options),
        create: (params, options) => ep.createTrackingNumber.call({ params }, options),
      },
      calls: {
        list: (query, options) => ep.listCalls.list(query, options),
        recording: (callId, options) => ep.callRecording.call({ id: callId }, options),
      },
    },
    commissions: {
      list: (query, options) => ep.listCommissions.list(query, options),
      get: (commissionId, options) => ep.getCommission.call({ id: commissionId }, options),
    },
    earnings: {
      summary: (options) => ep.earningsSummary.call({}, options),
    },
    webhooks: {
      create: (params, options) => ep.createWebhookEndpoint.call({ params }, options),
    },
  };
}

function isBulkBody(value: unknown): value is { links: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'links' in value;
}

/**
 * A 409 DUPLICATE_RESOURCE that answers a retry of conversions.track: Affilync de-duplicates on
 * order_id, so an earlier attempt of this call (whose answer was lost to a 5xx, a dropped
 * connection or a 429) recorded the conversion. Said plainly, so nobody tracks it a third time.
 */
function explainRetriedDuplicate(error: unknown): unknown {
  if (!(error instanceof ProviderApiError) || error.status !== 409 || error.code !== 'DUPLICATE_RESOURCE' || !error.retried) return error;
  return new ProviderApiError({
    provider: error.provider,
    status: error.status,
    code: error.code,
    retryable: false,
    retried: true,
    ...(error.fields ? { fields: error.fields } : {}),
    message:
      `${affilyncDialect.displayName} answered 409 (DUPLICATE_RESOURCE) to a retry of POST ${AFFILYNC_ENDPOINTS.trackConversion.path}: ` +
      'an earlier attempt of this call recorded the conversion (Affilync de-duplicates on order_id), so it is tracked; do not track it again',
  });
}
