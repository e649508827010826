import { AFFILYNC } from './affilync.dialect.js';
import type { EndpointSpec, FieldRule } from './resource-spec.js';

/**
 * Affilync's documented resources (docs.affilync.com: api/links, api/conversions, api/call-tracking,
 * api/commissions, api/webhooks; PROVIDERS.md §1.6–1.8): enums, id prefixes, and each endpoint's
 * method, path, fields and envelope. Where the docs are silent the choice is marked NOT DOCUMENTED.
 */
export const AFFILYNC_RESOURCES = {
  /** Id prefixes seen in the docs' examples (a convention there, not a stated rule). */
  idPrefixes: {
    campaign: 'camp_',
    link: 'lnk_',
    conversion: 'conv_',
    commission: 'comm_',
    affiliate: 'aff_',
    user: 'usr_',
    click: 'clk_',
    call: 'call_',
    number: 'num_',
    flow: 'flow_',
    webhookEndpoint: 'wh_',
    event: 'evt_',
  },
  /** api/links: the `status` filter. */
  linkStatuses: ['active', 'deactivated'],
  /** api/conversions: `event_type`. */
  conversionEventTypes: ['sale', 'lead', 'signup', 'trial'],
  /** api/conversions: `currency` when none is sent. */
  defaultCurrency: 'USD',
  /** api/call-tracking: the `type` of a tracking number. */
  trackingNumberTypes: ['local', 'toll_free', 'vanity'],
  /** api/call-tracking: a call's `outcome`. */
  callOutcomes: ['qualified', 'unqualified', 'voicemail', 'abandoned'],
  /** api/commissions: a commission's `status`. */
  commissionStatuses: ['pending', 'approved', 'paid', 'cancelled', 'reversed'],
  /** api/webhooks: the events an endpoint may subscribe to. */
  webhookEvents: [
    'click.created',
    'conversion.created',
    'conversion.approved',
    'conversion.rejected',
    'call.started',
    'call.completed',
    'affiliate.applied',
    'affiliate.approved',
    'payout.completed',
    'campaign.updated',
  ],
} as const;

const R = AFFILYNC_RESOURCES;
const P = R.idPrefixes;

/** §1.6: `page` (from 1) and `per_page` (default 20, at most 100; our lists ask for 100). */
const PAGE_FIELDS = {
  page: { kind: 'page' },
  per_page: { kind: 'page-size', max: AFFILYNC.pagination.maxPerPage },
} as const satisfies Record<string, FieldRule>;

/** api/links, POST /links. The sub ids' and landing page's limits are NOT DOCUMENTED. */
const LINK_FIELDS = {
  campaign_id: { kind: 'id', prefix: P.campaign, required: true },
  sub_id_1: { kind: 'string' },
  sub_id_2: { kind: 'string' },
  sub_id_3: { kind: 'string' },
  landing_page_url: { kind: 'url' },
} as const satisfies Record<string, FieldRule>;

export const AFFILYNC_ENDPOINTS = {
  /** Only an auth example in the docs: its filters and item fields are NOT DOCUMENTED; §1.6's envelope is assumed. */
  listCampaigns: { name: 'campaigns.list', method: 'GET', path: '/campaigns', fields: PAGE_FIELDS, answer: 'list', idempotent: true },
  /** api/commissions: `data[]` of `{ tier, min_conversions, rate }`; not paginated in the docs. */
  commissionTiers: {
    name: 'campaigns.commissionTiers',
    method: 'GET',
    path: '/campaigns/{id}/commission-tiers',
    idName: 'campaignId',
    answer: 'data-array',
    idempotent: true,
  },
  listLinks: {
    name: 'links.list',
    method: 'GET',
    path: '/links',
    fields: { campaign_id: { kind: 'id', prefix: P.campaign }, status: { kind: 'enum', values: R.linkStatuses }, ...PAGE_FIELDS },
    answer: 'list',
    idempotent: true,
  },
  /** 201 with the link at the top level (no `data`). Not de-duplicated: sent once. */
  createLink: { name: 'links.create', method: 'POST', path: '/links', fields: LINK_FIELDS, answer: 'bare', idempotent: false },
  /** 201 with `{ created, links }` at the top level. The most links per call is NOT DOCUMENTED. */
  createLinks: {
    name: 'links.createMany',
    method: 'POST',
    path: '/links/bulk',
    fields: { links: { kind: 'items', fields: LINK_FIELDS, required: true } },
    answer: 'bare',
    idempotent: false,
  },
  /**
   * 201 with `{ data: {...} }`. `order_id` de-duplicates on Affilync's side, so it is retried like
   * a GET. `currency`'s format is NOT DOCUMENTED (ISO 4217 codes assumed).
   */
  trackConversion: {
    name: 'conversions.track',
    method: 'POST',
    path: '/conversions/track',
    fields: {
      click_id: { kind: 'id', prefix: P.click, required: true },
      order_id: { kind: 'string', required: true },
      amount: { kind: 'money', required: true },
      currency: { kind: 'currency' },
      event_type: { kind: 'enum', values: R.conversionEventTypes },
      customer_email: { kind: 'email' },
      metadata: { kind: 'object' },
    },
    answer: 'data',
    idempotent: true,
  },
  /** No filters documented; paginated like the other lists (assumed). */
  listTrackingNumbers: {
    name: 'callTracking.numbers.list',
    method: 'GET',
    path: '/call-tracking/numbers',
    fields: PAGE_FIELDS,
    answer: 'list',
    idempotent: true,
  },
  /** 201; the envelope is NOT DOCUMENTED (either accepted). Not de-duplicated: sent once. */
  createTrackingNumber: {
    name: 'callTracking.numbers.create',
    method: 'POST',
    path: '/call-tracking/numbers',
    fields: { type: { kind: 'enum', values: R.trackingNumberTypes, required: true }, area_code: { kind: 'string' }, display_name: { kind: 'string' } },
    answer: 'data-or-bare',
    idempotent: false,
  },
  listCalls: {
    name: 'callTracking.calls.list',
    method: 'GET',
    path: '/call-tracking/calls',
    fields: {
      start_date: { kind: 'date' },
      end_date: { kind: 'date' },
      number_id: { kind: 'id', prefix: P.number },
      campaign_id: { kind: 'id', prefix: P.campaign },
      outcome: { kind: 'enum', values: R.callOutcomes },
      ...PAGE_FIELDS,
    },
    ranges: [['start_date', 'end_date']],
    answer: 'list',
    idempotent: true,
  },
  /** `recording_url` (and a [TRUNCATED] `transcript_url`); the envelope is NOT DOCUMENTED (either accepted). */
  callRecording: {
    name: 'callTracking.calls.recording',
    method: 'GET',
    path: '/call-tracking/calls/{id}/recording',
    idName: 'callId',
    answer: 'data-or-bare',
    idempotent: true,
  },
  /** `date_from`/`date_to`'s format is NOT DOCUMENTED: YYYY-MM-DD, like the call log's dates. */
  listCommissions: {
    name: 'commissions.list',
    method: 'GET',
    path: '/commissions',
    fields: {
      status: { kind: 'enum', values: R.commissionStatuses },
      campaign_id: { kind: 'id', prefix: P.campaign },
      date_from: { kind: 'date' },
      date_to: { kind: 'date' },
      ...PAGE_FIELDS,
    },
    ranges: [['date_from', 'date_to']],
    answer: 'list',
    idempotent: true,
  },
  /** The envelope is NOT DOCUMENTED (either accepted). */
  getCommission: { name: 'commissions.get', method: 'GET', path: '/commissions/{id}', idName: 'commissionId', answer: 'data-or-bare', idempotent: true },
  /** The docs name `data.total_earned`, `pending`, `available_for_payout`, … ([TRUNCATED]); either envelope accepted. */
  earningsSummary: { name: 'earnings.summary', method: 'GET', path: '/affiliate/earnings/summary', answer: 'data-or-bare', idempotent: true },
  /** 201 with the endpoint at the top level. The caller supplies the signing secret. Sent once. */
  createWebhookEndpoint: {
    name: 'webhooks.create',
    method: 'POST',
    path: '/webhooks',
    fields: {
      url: { kind: 'url', required: true },
      events: { kind: 'enum-list', values: R.webhookEvents, required: true },
      secret: { kind: 'secret', required: true },
    },
    answer: 'bare',
    idempotent: false,
  },
} as const satisfies Record<string, EndpointSpec>;
