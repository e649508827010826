import type { AffilyncClient, ConvertlyClient } from '../lib/index.js';
import { DocsAffilync, DocsConvertly } from './support/docs-resource-fakes.js';
import { startClients, type Clients } from './support/nest-clients.js';

/**
 * Every typed resource method against servers written from the providers' docs: the documented
 * method, path, query and body go out, and the documented envelope comes off.
 */
interface Sent {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

interface Case {
  name: string;
  call: (a: AffilyncClient, c: ConvertlyClient) => Promise<unknown>;
  sent: Sent;
  result: (fake: DocsAffilync, convertly: DocsConvertly) => unknown;
  /** For endpoints whose envelope the docs do not show: both are served and unwrapped. */
  envelopes?: ('bare' | 'data')[];
}

const page = (items: unknown[], n: number, total = items.length) => ({ data: items.slice((n - 1) * 100, n * 100), meta: { page: n, per_page: 100, total } });

const cases: Case[] = [
  {
    name: 'campaigns.list()',
    call: (a) => a.campaigns.list(),
    sent: { method: 'GET', path: '/api/campaigns', query: { page: '1', per_page: '100' } },
    result: (f) => page(f.campaigns, 1),
  },
  {
    name: 'campaigns.list({ page: 3, per_page: 20 })',
    call: (a) => a.campaigns.list({ page: 3, per_page: 20 }),
    sent: { method: 'GET', path: '/api/campaigns', query: { page: '3', per_page: '20' } },
    result: (f) => ({ data: f.campaigns.slice(40, 60), meta: { page: 3, per_page: 20, total: 250 } }),
  },
  {
    name: 'campaigns.commissionTiers(id) → the data array',
    call: (a) => a.campaigns.commissionTiers('camp_007'),
    sent: { method: 'GET', path: '/api/campaigns/camp_007/commission-tiers', query: {} },
    result: () => [
      { tier: 1, min_conversions: 0, rate: '10.00' },
      { tier: 2, min_conversions: 50, rate: '12.50' },
    ],
  },
  {
    name: 'links.list({ campaign_id, status })',
    call: (a) => a.links.list({ campaign_id: 'camp_001', status: 'active' }),
    sent: { method: 'GET', path: '/api/links', query: { campaign_id: 'camp_001', status: 'active', page: '1', per_page: '100' } },
    result: (f) =>
      page(
        f.links.filter((l) => l.campaign_id === 'camp_001' && l.status === 'active'),
        1,
      ),
  },
  {
    name: 'links.create() → 201, the bare link',
    call: (a) => a.links.create({ campaign_id: 'camp_001', sub_id_1: 'spring', sub_id_3: 'email', landing_page_url: 'https://shop.example/p?x=1' }),
    sent: {
      method: 'POST',
      path: '/api/links',
      body: { campaign_id: 'camp_001', sub_id_1: 'spring', sub_id_3: 'email', landing_page_url: 'https://shop.example/p?x=1' },
    },
    result: () =>
      expect.objectContaining({
        id: expect.stringMatching(/^lnk_/),
        campaign_id: 'camp_001',
        sub_id_1: 'spring',
        tracking_url: expect.stringMatching(/^https:\/\/track\.affilync\.com\/c\//),
      }),
  },
  {
    name: 'links.createMany() → 201, { created, links }',
    call: (a) => a.links.createMany([{ campaign_id: 'camp_001' }, { campaign_id: 'camp_002', sub_id_2: 'b' }]),
    sent: { method: 'POST', path: '/api/links/bulk', body: { links: [{ campaign_id: 'camp_001' }, { campaign_id: 'camp_002', sub_id_2: 'b' }] } },
    result: () => ({
      created: 2,
      links: [expect.objectContaining({ campaign_id: 'camp_001' }), expect.objectContaining({ campaign_id: 'camp_002', sub_id_2: 'b' })],
    }),
  },
  {
    name: 'links.createMany({ links }): the documented body itself is taken too',
    call: (a) => a.links.createMany({ links: [{ campaign_id: 'camp_001' }] } as never),
    sent: { method: 'POST', path: '/api/links/bulk', body: { links: [{ campaign_id: 'camp_001' }] } },
    result: () => ({ created: 1, links: [expect.objectContaining({ campaign_id: 'camp_001' })] }),
  },
  {
    name: 'conversions.track() → 201 { data }, unwrapped',
    call: (a) =>
      a.conversions.track({
        click_id: 'clk_a1b2',
        order_id: 'ORD-1001',
        amount: '149.99',
        currency: 'EUR',
        event_type: 'sale',
        customer_email: 'buyer@example.com',
        metadata: { coupon: 'SPRING', items: 3 },
      }),
    sent: {
      method: 'POST',
      path: '/api/conversions/track',
      body: {
        click_id: 'clk_a1b2',
        order_id: 'ORD-1001',
        amount: '149.99',
        currency: 'EUR',
        event_type: 'sale',
        customer_email: 'buyer@example.com',
        metadata: { coupon: 'SPRING', items: 3 },
      },
    },
    result: () => expect.objectContaining({ id: 'conv_001', order_id: 'ORD-1001', amount: '149.99', currency: 'EUR' }),
  },
  {
    name: 'conversions.track() with the required fields only',
    call: (a) => a.conversions.track({ click_id: 'clk_a1b2', order_id: 'ORD-1002', amount: '25.00' }),
    sent: { method: 'POST', path: '/api/conversions/track', body: { click_id: 'clk_a1b2', order_id: 'ORD-1002', amount: '25.00' } },
    result: () => expect.objectContaining({ id: 'conv_001', amount: '25.00', currency: 'USD' }),
  },
  {
    name: 'callTracking.numbers.list()',
    call: (a) => a.callTracking.numbers.list(),
    sent: { method: 'GET', path: '/api/call-tracking/numbers', query: { page: '1', per_page: '100' } },
    result: (f) => page(f.numbers, 1),
  },
  {
    name: 'callTracking.numbers.create() → 201, either envelope',
    call: (a) => a.callTracking.numbers.create({ type: 'toll_free', area_code: '800', display_name: 'Support line' }),
    sent: { method: 'POST', path: '/api/call-tracking/numbers', body: { type: 'toll_free', area_code: '800', display_name: 'Support line' } },
    result: () => ({ id: 'num_new1', type: 'toll_free', area_code: '800', display_name: 'Support line' }),
    envelopes: ['bare', 'data'],
  },
  {
    name: 'callTracking.calls.list({ every filter })',
    call: (a) =>
      a.callTracking.calls.list({
        start_date: '2026-03-01',
        end_date: '2026-03-31',
        number_id: 'num_001',
        campaign_id: 'camp_001',
        outcome: 'voicemail',
        per_page: 50,
      }),
    sent: {
      method: 'GET',
      path: '/api/call-tracking/calls',
      query: {
        start_date: '2026-03-01',
        end_date: '2026-03-31',
        number_id: 'num_001',
        campaign_id: 'camp_001',
        outcome: 'voicemail',
        page: '1',
        per_page: '50',
      },
    },
    result: (f) => {
      const kept = f.calls.filter((c) => c.outcome === 'voicemail');
      return { data: kept.slice(0, 50), meta: { page: 1, per_page: 50, total: kept.length } };
    },
  },
  {
    name: 'callTracking.calls.recording(id), either envelope',
    call: (a) => a.callTracking.calls.recording('call_042'),
    sent: { method: 'GET', path: '/api/call-tracking/calls/call_042/recording', query: {} },
    result: () => ({ recording_url: 'https://recordings.example/call_042.mp3', transcript_url: 'https://recordings.example/call_042.txt' }),
    envelopes: ['bare', 'data'],
  },
  {
    name: 'commissions.list({ status, campaign_id, date_from, date_to })',
    call: (a) => a.commissions.list({ status: 'approved', campaign_id: 'camp_001', date_from: '2026-01-01', date_to: '2026-01-31' }),
    sent: {
      method: 'GET',
      path: '/api/commissions',
      query: { status: 'approved', campaign_id: 'camp_001', date_from: '2026-01-01', date_to: '2026-01-31', page: '1', per_page: '100' },
    },
    result: (f) =>
      page(
        f.commissions.filter((c) => c.status === 'approved'),
        1,
      ),
  },
  {
    name: 'commissions.get(id), either envelope',
    call: (a) => a.commissions.get('comm_010'),
    sent: { method: 'GET', path: '/api/commissions/comm_010', query: {} },
    result: (f) => f.commissions[9],
    envelopes: ['bare', 'data'],
  },
  {
    name: 'earnings.summary(), either envelope',
    call: (a) => a.earnings.summary(),
    sent: { method: 'GET', path: '/api/affiliate/earnings/summary', query: {} },
    result: () => ({ total_earned: '1520.75', pending: '120.00', available_for_payout: '1400.75', currency: 'USD' }),
    envelopes: ['bare', 'data'],
  },
  {
    name: 'webhooks.create() → 201, the bare endpoint',
    call: (a) =>
      a.webhooks.create({ url: 'https://app.example/hooks/affilync', events: ['conversion.created', 'call.completed'], secret: 'whsec_test_signing_secret' }),
    sent: {
      method: 'POST',
      path: '/api/webhooks',
      body: { url: 'https://app.example/hooks/affilync', events: ['conversion.created', 'call.completed'], secret: 'whsec_test_signing_secret' },
    },
    result: () => ({
      id: 'wh_e4f5g1',
      url: 'https://app.example/hooks/affilync',
      events: ['conversion.created', 'call.completed'],
      status: 'active',
      created_at: '2026-03-21T15:00:00Z',
    }),
  },
  {
    name: 'convertly.affiliates.list()',
    call: (_, c) => c.affiliates.list(),
    sent: { method: 'GET', path: '/v1/affiliates', query: { limit: '100' } },
    result: (_, c) => ({ data: c.affiliates.slice(0, 100), meta: { total: 250, cursor: Buffer.from('{"id":"def100"}').toString('base64') } }),
  },
  {
    name: 'convertly.affiliates.list({ limit, cursor })',
    call: (_, c) => c.affiliates.list({ limit: 20, cursor: Buffer.from('{"id":"def240"}').toString('base64') }),
    sent: { method: 'GET', path: '/v1/affiliates', query: { limit: '20', cursor: Buffer.from('{"id":"def240"}').toString('base64') } },
    result: (_, c) => ({ data: c.affiliates.slice(240), meta: { total: 250, cursor: null } }),
  },
];

const rows = cases.flatMap((c) =>
  (c.envelopes ?? ['bare' as const]).map((envelope) => ({ ...c, envelope, label: c.envelopes ? `${c.name} [${envelope}]` : c.name })),
);

describe('typed resource methods send what the docs say and unwrap what they answer', () => {
  let affilync: DocsAffilync;
  let convertly: DocsConvertly;
  let app: Clients;

  beforeEach(async () => {
    affilync = await DocsAffilync.start();
    convertly = await DocsConvertly.start();
    app = await startClients({
      affilync: { baseUrl: affilync.baseUrl, apiKey: affilync.apiKey },
      convertly: { baseUrl: convertly.baseUrl, email: convertly.email, password: convertly.password },
    });
  });
  afterEach(async () => {
    await app.close();
    await affilync.close();
    await convertly.close();
  });

  it.each(rows)('$label', async ({ call, sent, result, envelope }) => {
    affilync.envelope = envelope;
    const answer = await call(app.affilync, app.convertly);
    expect(answer).toEqual(result(affilync, convertly));
    const requests = sent.path.startsWith('/v1/') ? convertly.requests : affilync.requests;
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect({ method: req.method, path: req.path }).toEqual({ method: sent.method, path: sent.path });
    if (sent.query) expect(Object.fromEntries(req.query)).toEqual(sent.query);
    if (sent.body !== undefined) {
      expect(JSON.parse(req.body)).toEqual(sent.body);
      expect(req.headers['content-type']).toBe('application/json');
    } else {
      expect(req.body).toBe('');
    }
  });
});
