import { EMULATOR_DEFAULT_USER, ProviderEmulator, type EmulatedCall, type EmulatedCommission } from '../lib/testing/index.js';

/**
 * Every route of the emulator, over raw HTTP, against what the providers' docs say (PROVIDERS.md
 * §1.4–1.8 and §2.6–2.8): statuses, envelopes, pagination, filters, validation, 404s, scopes, and
 * the emulator's own `state` and `reset()`.
 */

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the emulator's JSON bodies, read field by field in the assertions
  body: any;
}

type CallInit = Omit<RequestInit, 'body'> & { token?: string | null; json?: unknown; body?: string };

const user = EMULATOR_DEFAULT_USER;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const MONEY = /^\d+\.\d{2}$/;

let em: ProviderEmulator;

async function call(url: string, init: CallInit = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.json !== undefined || init.body !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(url, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** Affilync, with the emulator's full-scope key unless `token` says otherwise (null: no credential). */
const affilync = (path: string, init: CallInit = {}) => call(`${em.affilyncBaseUrl}${path}`, { token: em.apiKey, ...init });
const post = (path: string, json: unknown, init: CallInit = {}) => affilync(path, { method: 'POST', json, ...init });

const ids = (items: { id: string }[]) => items.map((i) => i.id);
const cents = (amount: string) => Math.round(Number(amount) * 100);
const sum = (items: { amount: string }[]) => (items.reduce((t, i) => t + cents(i.amount), 0) / 100).toFixed(2);

/** Every item of an Affilync list, page by page; checks each page's meta on the way. */
type Item = { id: string } & Record<string, unknown>;

async function allPages(path: string, perPage: number): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let total = Infinity;
  let page = 1;
  for (; items.length < total; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await affilync(`${path}${sep}page=${page}&per_page=${perPage}`);
    expect(r.status).toBe(200);
    expect(r.body.meta).toEqual({ page, per_page: perPage, total: expect.any(Number) });
    total = r.body.meta.total;
    expect(r.body.data.length).toBe(Math.min(perPage, total - items.length));
    items.push(...r.body.data);
    if (page > 50) throw new Error('runaway pagination');
  }
  return { items, pages: page - 1 };
}

function validation(...fields: [field: string, message?: string | RegExp][]) {
  return {
    detail: 'Validation failed',
    error_code: 'VALIDATION_ERROR',
    status: 422,
    fields: fields.map(([field, message]) => ({
      field,
      message: message === undefined ? expect.any(String) : typeof message === 'string' ? message : expect.stringMatching(message),
    })),
  };
}

const notFound = (detail: string) => ({ detail, error_code: 'RESOURCE_NOT_FOUND', status: 404 });
const MALFORMED = { detail: 'Malformed JSON body', error_code: 'INVALID_REQUEST', status: 400 };

beforeAll(async () => {
  em = await ProviderEmulator.start();
});
afterAll(() => em.close());
beforeEach(() => {
  em.clearFaults();
  em.reset();
});

describe('Affilync /campaigns', () => {
  it('lists the three seeded campaigns, page-paginated, with rate-limit headers', async () => {
    const r = await affilync('/campaigns');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      data: [
        { id: 'camp_001', name: 'Spring Sale', status: 'active', created_at: expect.stringMatching(ISO_SECONDS) },
        { id: 'camp_002', name: 'Summer Launch', status: 'active', created_at: expect.stringMatching(ISO_SECONDS) },
        { id: 'camp_003', name: 'Evergreen Partners', status: 'active', created_at: expect.stringMatching(ISO_SECONDS) },
      ],
      meta: { page: 1, per_page: 20, total: 3 },
    });
    // Without the rateLimits option no budget is enforced, so none is reported (a client pacing from
    // the headers would otherwise wait for a limit that does not exist): test/emulator-rate-limits.
    expect(r.headers.get('x-ratelimit-limit')).toBeNull();
    expect(r.headers.get('x-ratelimit-remaining')).toBeNull();

    const second = await affilync('/campaigns?page=2&per_page=2');
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: 'camp_003' })], meta: { page: 2, per_page: 2, total: 3 } });
    const past = await affilync('/campaigns?page=9');
    expect(past.body).toEqual({ data: [], meta: { page: 9, per_page: 20, total: 3 } });
  });

  it('refuses page and per_page out of range with 422 and fields[] (no clamping)', async () => {
    const tooBig = await affilync('/campaigns?per_page=101');
    expect(tooBig.status).toBe(422);
    expect(tooBig.body).toEqual(validation(['per_page', 'ensure this value is an integer from 1 to 100']));
    expect(tooBig.headers.get('x-ratelimit-limit')).toBeNull();
    expect((await affilync('/campaigns?per_page=100')).status).toBe(200);
    expect((await affilync('/campaigns?page=0&per_page=0')).body).toEqual(validation(['page'], ['per_page']));
    expect((await affilync('/campaigns?page=two')).body).toEqual(validation(['page']));
    expect((await affilync('/campaigns?per_page=-5')).status).toBe(422);
  });

  it('serves a campaign’s commission tiers as data[] of { tier, min_conversions, rate }, and 404 for an unknown campaign', async () => {
    const r = await affilync('/campaigns/camp_001/commission-tiers');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      data: [
        { tier: 1, min_conversions: 0, rate: '10.00' },
        { tier: 2, min_conversions: 50, rate: '12.50' },
        { tier: 3, min_conversions: 200, rate: '15.00' },
      ],
    });
    expect((await affilync('/campaigns/camp_003/commission-tiers')).body.data).toHaveLength(1);
    const missing = await affilync('/campaigns/camp_404/commission-tiers');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(notFound('Campaign not found'));
    expect((await affilync('/campaigns/__proto__/commission-tiers')).status).toBe(404);
  });
});

describe('Affilync /links', () => {
  it('lists 250 links, 20 a page by default, and a client can page through all of them', async () => {
    const first = await affilync('/links');
    expect(first.body.meta).toEqual({ page: 1, per_page: 20, total: 250 });
    expect(ids(first.body.data)).toEqual(Array.from({ length: 20 }, (_, i) => `lnk_${String(i + 1).padStart(3, '0')}`));
    expect(first.body.data[9]).toEqual({
      id: 'lnk_010',
      campaign_id: 'camp_001',
      affiliate_id: 'aff_010',
      status: 'deactivated',
      tracking_url: expect.stringMatching(/^https:\/\/track\.affilync\.com\/c\/\w+$/),
      short_url: expect.stringMatching(/^https:\/\/afl\.ink\/\w+$/),
      landing_page_url: null,
      sub_id_1: 'sub_10',
      sub_id_2: null,
      sub_id_3: null,
      created_at: expect.stringMatching(ISO_SECONDS),
    });

    const { items, pages } = await allPages('/links', 100);
    expect(pages).toBe(3);
    expect(new Set(ids(items)).size).toBe(250);
    expect(ids(items)).toEqual(ids([...em.state.affilync.links]));
  });

  it('filters by status (both present) and campaign_id, together with paging', async () => {
    const deactivated = await affilync('/links?status=deactivated&per_page=100');
    expect(deactivated.body.meta).toEqual({ page: 1, per_page: 100, total: 25 });
    expect(deactivated.body.data.every((l: { status: string }) => l.status === 'deactivated')).toBe(true);
    expect(deactivated.body.data[0].id).toBe('lnk_010');
    expect((await affilync('/links?status=active')).body.meta.total).toBe(225);

    const camp2 = await allPages('/links?campaign_id=camp_002', 30);
    expect(camp2.items).toHaveLength(83);
    expect(camp2.pages).toBe(3);
    expect(camp2.items.every((l) => l.campaign_id === 'camp_002')).toBe(true);
    const both = await affilync('/links?campaign_id=camp_002&status=deactivated');
    const expected = em.state.affilync.links.filter((l) => l.campaign_id === 'camp_002' && l.status === 'deactivated');
    expect(ids(both.body.data)).toEqual(ids([...expected]));
    expect((await affilync('/links?campaign_id=camp_999')).body).toEqual({ data: [], meta: { page: 1, per_page: 20, total: 0 } });

    const bad = await affilync('/links?status=paused&per_page=500');
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual(validation(['status', 'must be one of: active, deactivated'], ['per_page']));
  });

  it('POST /links: 201 with the link at top level; it is listed from then on', async () => {
    const r = await post('/links', { campaign_id: 'camp_002', sub_id_1: 'spring', sub_id_3: 'x', landing_page_url: 'https://shop.example/spring' });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-ratelimit-limit')).toBeNull();
    expect(r.body).toEqual({
      id: 'lnk_251',
      campaign_id: 'camp_002',
      affiliate_id: 'aff_001',
      status: 'active',
      tracking_url: expect.stringMatching(/^https:\/\/track\.affilync\.com\/c\//),
      short_url: expect.stringMatching(/^https:\/\/afl\.ink\//),
      landing_page_url: 'https://shop.example/spring',
      sub_id_1: 'spring',
      sub_id_2: null,
      sub_id_3: 'x',
      created_at: expect.stringMatching(ISO_SECONDS),
    });
    expect(Math.abs(Date.parse(r.body.created_at) - Date.now())).toBeLessThan(5_000);
    const next = await post('/links', { campaign_id: 'camp_001' });
    expect(next.body).toMatchObject({ id: 'lnk_252', landing_page_url: null, sub_id_1: null });
    const listed = await affilync('/links?page=3&per_page=100');
    expect(listed.body.meta.total).toBe(252);
    expect(listed.body.data.slice(-2)).toEqual([r.body, next.body]);
    expect(em.state.affilync.links.at(-1)).toEqual(next.body);
  });

  it('POST /links: 422 with every field problem, 400 for malformed JSON, 404 for an unknown campaign; nothing stored', async () => {
    expect((await post('/links', {})).body).toEqual(validation(['campaign_id', 'field required']));
    const several = await post('/links', { campaign_id: 7, landing_page_url: 'not a url', sub_id_1: 5, sub_id_2: 'x'.repeat(256) });
    expect(several.status).toBe(422);
    expect(several.body).toEqual(
      validation(
        ['campaign_id', 'must be a string'],
        ['landing_page_url', 'must be an absolute http or https URL'],
        ['sub_id_1', 'must be a string'],
        ['sub_id_2', 'must be at most 255 characters'],
      ),
    );
    expect((await post('/links', [{ campaign_id: 'camp_001' }])).body).toEqual(validation(['body', 'must be a JSON object'], ['campaign_id']));
    expect((await affilync('/links', { method: 'POST' })).body).toEqual(validation(['campaign_id', 'field required'])); // no body at all

    const malformed = await affilync('/links', { method: 'POST', body: '{"campaign_id": "camp_001",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual(MALFORMED);
    const unknown = await post('/links', { campaign_id: 'camp_404' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(notFound('Campaign not found'));
    expect(em.state.affilync.links).toHaveLength(250);
  });

  it('POST /links/bulk: 201 { created, links }, all or none', async () => {
    const r = await post('/links/bulk', { links: [{ campaign_id: 'camp_001', sub_id_1: 'a' }, { campaign_id: 'camp_003' }] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      created: 2,
      links: [
        expect.objectContaining({ id: 'lnk_251', campaign_id: 'camp_001', sub_id_1: 'a', status: 'active' }),
        expect.objectContaining({ id: 'lnk_252', campaign_id: 'camp_003', sub_id_1: null }),
      ],
    });
    expect((await affilync('/links')).body.meta.total).toBe(252);

    expect((await post('/links/bulk', {})).body).toEqual(validation(['links', 'must be an array of 1 to 100 links']));
    expect((await post('/links/bulk', { links: [] })).status).toBe(422);
    expect((await post('/links/bulk', { links: Array.from({ length: 101 }, () => ({ campaign_id: 'camp_001' })) })).status).toBe(422);
    const items = await post('/links/bulk', {
      links: [{ campaign_id: 'camp_001' }, { sub_id_1: 'x' }, 'lnk', { campaign_id: 'camp_002', landing_page_url: 'ftp://x' }],
    });
    expect(items.body).toEqual(
      validation(['links[1].campaign_id', 'field required'], ['links[2]', 'must be a JSON object'], ['links[2].campaign_id'], ['links[3].landing_page_url']),
    );
    const unknown = await post('/links/bulk', { links: [{ campaign_id: 'camp_001' }, { campaign_id: 'camp_404' }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(notFound('Campaign not found'));
    expect((await affilync('/links/bulk', { method: 'POST', body: '{"links": [' })).body).toEqual(MALFORMED);
    expect(em.state.affilync.links).toHaveLength(252);
  });
});

describe('Affilync /conversions/track', () => {
  it('201 with the conversion in data, the defaults applied, and a pending commission at the campaign’s tier rate', async () => {
    const before = (await affilync('/affiliate/earnings/summary')).body.data;
    const r = await post('/conversions/track', { click_id: 'clk_001', order_id: 'ORD-9001', amount: '149.99' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      data: {
        id: 'conv_121',
        click_id: 'clk_001',
        order_id: 'ORD-9001',
        amount: '149.99',
        currency: 'USD',
        event_type: 'sale',
        customer_email: null,
        metadata: {},
        link_id: 'lnk_001',
        campaign_id: 'camp_001',
        affiliate_id: 'aff_001',
        commission: '15.00', // tier 1 of camp_001: 10.00 % of 149.99, rounded half up
        status: 'pending',
        created_at: expect.stringMatching(ISO_SECONDS),
      },
    });
    const commission = await affilync('/commissions/comm_121');
    expect(commission.body).toEqual({
      data: {
        id: 'comm_121',
        conversion_id: 'conv_121',
        campaign_id: 'camp_001',
        affiliate_id: 'aff_001',
        amount: '15.00',
        currency: 'USD',
        status: 'pending',
        created_at: r.body.data.created_at,
      },
    });
    const after = (await affilync('/affiliate/earnings/summary')).body.data;
    expect(cents(after.pending) - cents(before.pending)).toBe(1500);

    const full = await post('/conversions/track', {
      click_id: 'clk_002',
      order_id: 'ORD-9002',
      amount: '80',
      currency: 'EUR',
      event_type: 'lead',
      customer_email: 'ada@shopper.example',
      metadata: { cart: ['sku-1'], coupon: null },
    });
    expect(full.status).toBe(201);
    expect(full.body.data).toMatchObject({
      id: 'conv_122',
      amount: '80.00',
      currency: 'EUR',
      event_type: 'lead',
      customer_email: 'ada@shopper.example',
      metadata: { cart: ['sku-1'], coupon: null },
      campaign_id: 'camp_002',
      commission: '6.40', // camp_002 tier 1: 8.00 %
    });
    expect(em.state.affilync.conversions.at(-1)).toEqual(full.body.data);
  });

  it('de-duplicates on order_id: 409 DUPLICATE_RESOURCE, also for a seeded order', async () => {
    expect((await post('/conversions/track', { click_id: 'clk_005', order_id: 'ORD-9100', amount: '10.00' })).status).toBe(201);
    const again = await post('/conversions/track', { click_id: 'clk_006', order_id: 'ORD-9100', amount: '12.00' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: 'A conversion with this order_id already exists', error_code: 'DUPLICATE_RESOURCE', status: 409 });
    expect(again.headers.get('x-ratelimit-limit')).toBeNull();
    expect((await post('/conversions/track', { click_id: 'clk_001', order_id: 'ORD-1001', amount: '1.00' })).status).toBe(409);
    expect(em.state.affilync.conversions).toHaveLength(121);
    expect(em.state.affilync.commissions).toHaveLength(121);
  });

  it('validates with 422 fields[] (amount is a decimal string), 404 for an unknown click, 400 for malformed JSON', async () => {
    expect((await post('/conversions/track', {})).body).toEqual(
      validation(['click_id', 'field required'], ['order_id', 'field required'], ['amount', 'field required']),
    );
    const wrong = await post('/conversions/track', {
      click_id: 'clk_001',
      order_id: '',
      amount: 149.99,
      currency: 'usd',
      event_type: 'purchase',
      customer_email: 'not-an-email',
      metadata: ['x'],
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toEqual(
      validation(
        ['order_id', 'must not be empty'],
        ['amount', /decimal string/],
        ['currency', /ISO 4217/],
        ['event_type', 'must be one of: sale, lead, signup, trial'],
        ['customer_email', 'must be an email address'],
        ['metadata', 'must be a JSON object'],
      ),
    );
    for (const amount of ['1.999', '-5.00', '1e3', '', '12,50']) {
      expect((await post('/conversions/track', { click_id: 'clk_001', order_id: 'ORD-X', amount })).body).toEqual(validation(['amount']));
    }
    const unknown = await post('/conversions/track', { click_id: 'clk_999', order_id: 'ORD-9200', amount: '5.00' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(notFound('Click not found'));
    expect((await affilync('/conversions/track', { method: 'POST', body: 'order_id=1' })).body).toEqual(MALFORMED);
    expect(em.state.affilync.conversions).toHaveLength(120);
  });
});

describe('Affilync /conversions/postback', () => {
  const postback = (query: string, init: CallInit = {}) => affilync(`/conversions/postback?${query}`, init);

  it('GET records a conversion from the query (200, data), authenticated by ?api_key= or the header', async () => {
    const key = await em.createApiKey(['analytics:read']);
    const r = await postback(`click_id=clk_010&amount=20&order_id=PB-1&api_key=${key}`, { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-ratelimit-limit')).toBeNull();
    expect(r.body).toEqual({
      data: expect.objectContaining({
        id: 'conv_121',
        click_id: 'clk_010',
        order_id: 'PB-1',
        amount: '20.00',
        currency: 'USD',
        event_type: 'sale',
        customer_email: null,
        metadata: {},
        campaign_id: 'camp_001',
        commission: '2.00',
        status: 'pending',
      }),
    });
    const header = await postback('click_id=clk_011&amount=10.5&order_id=PB-2&currency=EUR', { token: key });
    expect(header.body.data).toMatchObject({ id: 'conv_122', amount: '10.50', currency: 'EUR' });
    expect(em.state.affilync.commissions.slice(-2).map((c) => c.conversion_id)).toEqual(['conv_121', 'conv_122']);

    const again = await postback(`click_id=clk_012&amount=20&order_id=PB-1&api_key=${key}`, { token: null });
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe('DUPLICATE_RESOURCE');
    expect((await postback(`api_key=${key}`, { token: null })).body).toEqual(validation(['click_id'], ['order_id'], ['amount']));
    expect((await postback(`click_id=clk_999&amount=1&order_id=PB-3&api_key=${key}`, { token: null })).body).toEqual(notFound('Click not found'));
  });

  it('refuses a missing, unknown or revoked key, and a token in the query (only keys go there)', async () => {
    const key = await em.createApiKey(['analytics:read']);
    const q = 'click_id=clk_010&amount=20&order_id=PB-9';
    expect((await postback(q, { token: null })).status).toBe(401);
    expect((await postback(`${q}&api_key=afk_live_not_a_real_key`, { token: null })).body).toMatchObject({ error_code: 'TOKEN_INVALID', status: 401 });
    const login = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', json: { email: user.email, password: user.password } });
    expect((await postback(`${q}&api_key=${login.body.access_token}`, { token: null })).status).toBe(401);
    expect((await affilync(`/links?api_key=${key}`, { token: null })).status).toBe(401); // only the postback takes it
    await em.revokeApiKey(key);
    expect((await postback(`${q}&api_key=${key}`, { token: null })).status).toBe(401);
    expect(em.state.affilync.conversions).toHaveLength(120);
  });
});

describe('Affilync /call-tracking', () => {
  it('lists the numbers; POST buys one (201, top level) with the default area code of its type', async () => {
    const list = await affilync('/call-tracking/numbers');
    expect(list.body.meta).toEqual({ page: 1, per_page: 20, total: 6 });
    expect(list.body.data[0]).toEqual({
      id: 'num_001',
      type: 'local',
      phone_number: '+15125550101',
      area_code: '512',
      display_name: 'Austin Sales',
      campaign_id: 'camp_001',
      status: 'active',
      created_at: expect.stringMatching(ISO_SECONDS),
    });
    expect(new Set(list.body.data.map((n: { type: string }) => n.type))).toEqual(new Set(['local', 'toll_free', 'vanity']));

    const local = await post('/call-tracking/numbers', { type: 'local', area_code: '303', display_name: 'Denver' });
    expect(local.status).toBe(201);
    expect(local.body).toEqual({
      id: 'num_007',
      type: 'local',
      phone_number: '+13035550107',
      area_code: '303',
      display_name: 'Denver',
      campaign_id: null,
      status: 'active',
      created_at: expect.stringMatching(ISO_SECONDS),
    });
    expect((await post('/call-tracking/numbers', { type: 'toll_free' })).body).toMatchObject({ id: 'num_008', area_code: '800', display_name: null });
    expect((await affilync('/call-tracking/numbers?per_page=5&page=2')).body).toMatchObject({ meta: { page: 2, per_page: 5, total: 8 } });
    expect(em.state.affilync.callNumbers).toHaveLength(8);
  });

  it('POST numbers: 422 for a missing or unknown type and a bad area code, 400 for malformed JSON', async () => {
    expect((await post('/call-tracking/numbers', {})).body).toEqual(validation(['type', 'field required']));
    expect((await post('/call-tracking/numbers', { type: 'mobile', area_code: '12', display_name: 3 })).body).toEqual(
      validation(['type', 'must be one of: local, toll_free, vanity'], ['area_code'], ['display_name']),
    );
    expect((await affilync('/call-tracking/numbers', { method: 'POST', body: '{' })).body).toEqual(MALFORMED);
    expect(em.state.affilync.callNumbers).toHaveLength(6);
  });

  it('lists 90 calls across pages, filtered by dates, number, campaign and outcome', async () => {
    const calls = em.state.affilync.calls;
    expect(calls).toHaveLength(90);
    const first = await affilync('/call-tracking/calls');
    expect(first.body.meta).toEqual({ page: 1, per_page: 20, total: 90 });
    expect(first.body.data[0]).toEqual({
      id: 'call_001',
      number_id: 'num_001',
      campaign_id: 'camp_001',
      caller_number: expect.stringMatching(/^\+1\d{10}$/),
      duration: expect.any(Number),
      outcome: 'qualified',
      created_at: expect.stringMatching(ISO_SECONDS),
    });
    const { items, pages } = await allPages('/call-tracking/calls', 40);
    expect([items.length, pages]).toEqual([90, 3]);

    const expectFilter = async (query: string, keep: (c: EmulatedCall) => boolean) => {
      const expected = calls.filter(keep).map((c) => c.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids((await affilync(`/call-tracking/calls?${query}&per_page=100`)).body.data)).toEqual(expected);
    };
    for (const outcome of ['qualified', 'unqualified', 'voicemail', 'abandoned'] as const)
      await expectFilter(`outcome=${outcome}`, (c) => c.outcome === outcome);
    await expectFilter('number_id=num_002', (c) => c.number_id === 'num_002');
    await expectFilter('campaign_id=camp_001', (c) => c.campaign_id === 'camp_001');
    const [from, to] = [calls[10].created_at.slice(0, 10), calls[40].created_at.slice(0, 10)];
    await expectFilter(`start_date=${from}&end_date=${to}`, (c) => c.created_at.slice(0, 10) >= from && c.created_at.slice(0, 10) <= to);
    await expectFilter(
      `start_date=${from}&outcome=qualified&campaign_id=camp_001`,
      (c) => c.created_at >= from && c.outcome === 'qualified' && c.campaign_id === 'camp_001',
    );
    await expectFilter(`end_date=${from}`, (c) => c.created_at.slice(0, 10) <= from);

    expect((await affilync('/call-tracking/calls?start_date=2026-02-30&end_date=20260301&outcome=missed')).body).toEqual(
      validation(['start_date', 'must be a date as YYYY-MM-DD'], ['end_date', 'must be a date as YYYY-MM-DD'], ['outcome']),
    );
    expect((await affilync('/call-tracking/calls?start_date=2026-03-02&end_date=2026-03-01')).body).toEqual(
      validation(['end_date', 'must not be before start_date']),
    );
  });

  it('serves a call’s recording in data; 404 for an abandoned call (none) and an unknown call', async () => {
    const r = await affilync('/call-tracking/calls/call_001/recording');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      data: {
        call_id: 'call_001',
        recording_url: expect.stringMatching(/^https:\/\/.+\/call_001\.mp3$/),
        transcript_url: expect.stringMatching(/^https:\/\/.+\/call_001\.txt$/),
        duration: em.state.affilync.calls[0].duration,
      },
    });
    expect((await affilync('/call-tracking/calls/call_003/recording')).body.data).toMatchObject({ call_id: 'call_003', transcript_url: null }); // voicemail
    const abandoned = await affilync('/call-tracking/calls/call_004/recording');
    expect(abandoned.status).toBe(404);
    expect(abandoned.body).toEqual(notFound('Recording not found'));
    expect((await affilync('/call-tracking/calls/call_999/recording')).body).toEqual(notFound('Call not found'));
  });
});

describe('Affilync /commissions and /affiliate/earnings/summary', () => {
  it('lists 120 commissions in all five statuses, filtered by status, campaign and dates, across pages', async () => {
    const all = em.state.affilync.commissions;
    const r = await affilync('/commissions');
    expect(r.body.meta).toEqual({ page: 1, per_page: 20, total: 120 });
    expect(r.body.data[0]).toEqual({
      id: 'comm_001',
      conversion_id: 'conv_001',
      campaign_id: 'camp_001',
      affiliate_id: 'aff_001',
      amount: expect.stringMatching(MONEY),
      currency: 'USD',
      status: 'pending',
      created_at: expect.stringMatching(ISO_SECONDS),
    });
    const { items, pages } = await allPages('/commissions', 50);
    expect([items.length, pages]).toEqual([120, 3]);

    const expectFilter = async (query: string, keep: (c: EmulatedCommission) => boolean) => {
      const expected = all.filter(keep).map((c) => c.id);
      expect(expected.length).toBeGreaterThan(0);
      const got = await allPages(`/commissions?${query}`, 100);
      expect(ids(got.items)).toEqual(expected);
    };
    for (const status of ['pending', 'approved', 'paid', 'cancelled', 'reversed'] as const) {
      await expectFilter(`status=${status}`, (c) => c.status === status);
    }
    await expectFilter('campaign_id=camp_003&status=paid', (c) => c.campaign_id === 'camp_003' && c.status === 'paid');
    const [from, to] = [all[30].created_at.slice(0, 10), all[60].created_at.slice(0, 10)];
    await expectFilter(`date_from=${from}&date_to=${to}`, (c) => c.created_at.slice(0, 10) >= from && c.created_at.slice(0, 10) <= to);
    await expectFilter(`date_to=${from}`, (c) => c.created_at.slice(0, 10) <= from);

    expect((await affilync('/commissions?status=refunded&date_from=yesterday&per_page=0')).body).toEqual(
      validation(['status', 'must be one of: pending, approved, paid, cancelled, reversed'], ['date_from'], ['per_page']),
    );
    expect((await affilync(`/commissions?date_from=${to}&date_to=${from}`)).body).toEqual(validation(['date_to', 'must not be before date_from']));
  });

  it('GET /commissions/{id}: the commission in data; 404 RESOURCE_NOT_FOUND for an unknown id', async () => {
    expect((await affilync('/commissions/comm_042')).body).toEqual({ data: em.state.affilync.commissions[41] });
    const missing = await affilync('/commissions/comm_999');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(notFound('Commission not found'));
  });

  it('summarises earnings in data: decimal strings computed from the commissions', async () => {
    const r = await affilync('/affiliate/earnings/summary');
    expect(r.status).toBe(200);
    const by = (...statuses: string[]) => sum(em.state.affilync.commissions.filter((c) => statuses.includes(c.status)));
    expect(r.body).toEqual({
      data: {
        total_earned: by('approved', 'paid'),
        pending: by('pending'),
        available_for_payout: by('approved'),
        paid: by('paid'),
        currency: 'USD',
      },
    });
    for (const amount of Object.values(r.body.data).slice(0, 4)) expect(amount).toMatch(MONEY);
  });
});

describe('Affilync /webhooks', () => {
  it('POST registers one: 201 with { id, url, events, status, created_at } at top level, never the secret', async () => {
    const body = {
      url: 'https://app.example/webhooks/affilync',
      events: ['conversion.created', 'call.completed', 'conversion.created'],
      secret: 'whsec_test_secret',
    };
    const r = await post('/webhooks', body);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: 'wh_001',
      url: body.url,
      events: ['conversion.created', 'call.completed'],
      status: 'active',
      created_at: expect.stringMatching(ISO_SECONDS),
    });
    // The signing secret is kept to sign deliveries, never shown: not in the answer, not in state
    // (a test that snapshots state must not write a secret to disk).
    expect(em.state.affilync.webhooks).toEqual([r.body]);
    expect(JSON.stringify(em.state)).not.toContain('whsec_test_secret');
    expect((await post('/webhooks', { ...body, url: 'http://127.0.0.1:9/hook' })).body.id).toBe('wh_002');
  });

  it('validates url, events and secret (422 fields[]), 400 for malformed JSON', async () => {
    expect((await post('/webhooks', {})).body).toEqual(validation(['url', 'field required'], ['events', 'field required'], ['secret', 'field required']));
    expect((await post('/webhooks', { url: 'ftp://x.example', events: [], secret: '' })).body).toEqual(
      validation(['url'], ['events', 'must be a non-empty array of event names'], ['secret', 'must not be empty']),
    );
    expect((await post('/webhooks', { url: 'https://a.example', events: ['conversion.created', 'order.created', 3], secret: 's' })).body).toEqual(
      validation(['events[1]', /^must be one of: click\.created, conversion\.created/], ['events[2]']),
    );
    expect((await affilync('/webhooks', { method: 'POST', body: '{"url":' })).body).toEqual(MALFORMED);
    expect(em.state.affilync.webhooks).toEqual([]);
  });
});

describe('Affilync scopes and credentials', () => {
  /** Each route and the one scope it needs (api/*’s page/scope table; conversions: none documented). */
  const ROUTES: [method: string, path: string, scope: string | null, json?: object][] = [
    ['GET', '/campaigns', 'campaigns:read'],
    ['GET', '/campaigns/camp_001/commission-tiers', 'commissions:read'],
    ['GET', '/links', 'links:read'],
    ['POST', '/links', 'links:write', { campaign_id: 'camp_001' }],
    ['POST', '/links/bulk', 'links:write', { links: [{ campaign_id: 'camp_001' }] }],
    ['POST', '/conversions/track', null, { click_id: 'clk_001', order_id: 'ORD-SCOPE', amount: '1.00' }],
    ['GET', '/conversions/postback?click_id=clk_002&order_id=ORD-PB&amount=1.00', null],
    ['GET', '/call-tracking/numbers', 'calls:read'],
    ['POST', '/call-tracking/numbers', 'calls:write', { type: 'local' }],
    ['GET', '/call-tracking/calls', 'calls:read'],
    ['GET', '/call-tracking/calls/call_001/recording', 'calls:read'],
    ['GET', '/commissions', 'commissions:read'],
    ['GET', '/commissions/comm_001', 'commissions:read'],
    ['GET', '/affiliate/earnings/summary', 'commissions:read'],
    ['POST', '/webhooks', 'webhooks:manage', { url: 'https://a.example/h', events: ['click.created'], secret: 'whsec_x' }],
  ];
  const ALL_SCOPES = [...new Set(ROUTES.map(([, , scope]) => scope).filter((s): s is string => s !== null))];

  const ROWS = ROUTES.map(([method, path, scope, json]) => ({ method, path, scope, json }));

  it.each(ROWS)('$method $path needs $scope: 403 INSUFFICIENT_SCOPE without it, success with only it', async ({ method, path, scope, json }) => {
    const others = await em.createApiKey(ALL_SCOPES.filter((s) => s !== scope).concat('analytics:read'));
    const only = await em.createApiKey([scope ?? 'analytics:read']);
    const refused = await affilync(path, { method, json, token: others });
    if (scope === null) {
      expect(refused.status).toBe(method === 'POST' ? 201 : 200);
    } else {
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ detail: `Missing required scope: ${scope}`, error_code: 'INSUFFICIENT_SCOPE', status: 403 });
      expect(refused.headers.get('www-authenticate')).toBe(`Bearer realm="affilync", error="insufficient_scope", scope="${scope}"`);
      expect(refused.headers.get('x-ratelimit-limit')).toBeNull();
    }
    em.reset(); // the scope-less routes created their conversion already
    const allowed = await affilync(path, { method, json, token: only });
    expect(allowed.status).toBe(method === 'POST' ? 201 : 200);
  });

  it('authenticates before anything else: 401 without a credential, even for a malformed body or an unknown id', async () => {
    for (const [method, path] of ROUTES) {
      const r = await affilync(path, { method, body: method === 'POST' ? '{' : undefined, token: null });
      expect([method, path, r.status, r.body.error_code]).toEqual([method, path, 401, 'TOKEN_INVALID']);
    }
    expect((await affilync('/commissions/comm_999', { token: null })).status).toBe(401);
    expect(em.counters.affilync).toMatchObject({ calls: ROUTES.length + 1, rejected: ROUTES.length + 1 });
  });

  it('an admin’s login token reaches every route', async () => {
    const login = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', json: { email: user.email, password: user.password } });
    for (const [method, path, , json] of ROUTES) {
      const r = await affilync(path, { method, json, token: login.body.access_token });
      expect([method, path, r.status]).toEqual([method, path, method === 'POST' ? 201 : 200]);
    }
  });
});

describe('Convertly /v1/affiliates', () => {
  let token: string;
  const convertly = (path: string, init: CallInit = {}) => call(`${em.convertlyBaseUrl}${path}`, { token, ...init });

  beforeAll(async () => {
    const r = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: user.email, password: user.password } });
    token = r.body.data.accessToken;
  });

  it('lists 57 creators in all four statuses, { data, meta: { total, cursor } }, limit 20 by default', async () => {
    const r = await convertly('/affiliates');
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(20);
    expect(r.body.meta).toEqual({ total: 57, cursor: expect.any(String) });
    expect(r.body.data[0]).toEqual({
      id: 'def001',
      name: 'Creator 01',
      email: 'creator01@creators.example',
      status: 'active',
      createdAt: expect.stringMatching(ISO_SECONDS),
    });
    expect(new Set(em.state.convertly.affiliates.map((a) => a.status))).toEqual(new Set(['active', 'pending', 'paused', 'rejected']));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await convertly(`/affiliates?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...ids(page.body.data));
      cursor = page.body.meta.cursor;
    } while (cursor !== null && seen.length < 100);
    expect(seen).toEqual(ids([...em.state.convertly.affiliates]));
  });

  it('refuses a bad limit or cursor with 400 in NestJS’s body', async () => {
    expect((await convertly('/affiliates?limit=101')).body).toEqual({ statusCode: 400, message: 'limit must not be greater than 100', error: 'Bad Request' });
    expect((await convertly('/affiliates?limit=0')).body).toEqual({ statusCode: 400, message: 'limit must not be less than 1', error: 'Bad Request' });
    expect((await convertly('/affiliates?limit=ten')).status).toBe(400);
    expect((await convertly('/affiliates?cursor=eyJpZCI6ImRlZjQ1NiJ9')).body).toEqual({ statusCode: 400, message: 'cursor is invalid', error: 'Bad Request' });
  });

  it('the emulator’s own /v1/discounts: listed, created by an admin (201), 400 for malformed JSON or a missing code', async () => {
    expect((await convertly('/discounts')).body).toEqual({
      data: [{ id: 'dsc_01', code: 'WELCOME10', type: 'percentage', value: '10.00' }],
      meta: { total: 1, cursor: null },
    });
    const created = await convertly('/discounts', { method: 'POST', json: { code: 'SUMMER5', type: 'fixed_amount', value: '5' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ data: { id: 'dsc_02', code: 'SUMMER5', type: 'fixed_amount', value: '5.00' } });
    expect(em.state.convertly.discounts).toHaveLength(2);
    const malformed = await convertly('/discounts', { method: 'POST', body: '{"code":' });
    expect(malformed.body).toEqual({ statusCode: 400, message: 'Malformed JSON body', error: 'Bad Request' });
    expect((await convertly('/discounts', { method: 'POST', json: { type: 'percentage' } })).body).toEqual({
      statusCode: 400,
      message: 'Validation failed',
      error: 'Bad Request',
    });
    expect((await convertly('/discounts', { method: 'POST', json: { code: 'X', value: 5 } })).status).toBe(400);
    const login = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', body: '{"email"' });
    expect(login.body).toEqual({ statusCode: 400, message: 'Malformed JSON body', error: 'Bad Request' });
  });
});

describe('emulator.state and emulator.reset()', () => {
  it('state is a frozen snapshot of the seed: documented prefixes, decimal-string money, ISO dates', () => {
    const { affilync: a, convertly: c } = em.state;
    expect(Object.isFrozen(em.state)).toBe(true);
    expect(Object.isFrozen(a.links)).toBe(true);
    expect(Object.isFrozen(a.links[0])).toBe(true);
    expect(() => (a.links as unknown as unknown[]).push({})).toThrow(TypeError);
    expect(a.links).toHaveLength(250);
    expect(new Set(a.links.map((l) => l.status))).toEqual(new Set(['active', 'deactivated']));
    const prefixes: [readonly { id: string }[], RegExp][] = [
      [a.campaigns, /^camp_\d{3}$/],
      [a.links, /^lnk_\d{3}$/],
      [a.clicks, /^clk_\d{3}$/],
      [a.conversions, /^conv_\d{3}$/],
      [a.commissions, /^comm_\d{3}$/],
      [a.callNumbers, /^num_\d{3}$/],
      [a.calls, /^call_\d{3}$/],
      [c.affiliates, /^def\d{3}$/],
    ];
    for (const [records, pattern] of prefixes) for (const r of records) expect(r.id).toMatch(pattern);
    for (const conversion of a.conversions) {
      expect([conversion.amount, conversion.commission, conversion.created_at]).toEqual([
        expect.stringMatching(MONEY),
        expect.stringMatching(MONEY),
        expect.stringMatching(ISO_SECONDS),
      ]);
    }
    expect(new Set(a.commissions.map((x) => x.status))).toEqual(new Set(['pending', 'approved', 'paid', 'cancelled', 'reversed']));
    expect(new Set(a.calls.map((x) => x.outcome))).toEqual(new Set(['qualified', 'unqualified', 'voicemail', 'abandoned']));
    expect(a.commissionTiers.camp_002).toEqual([
      { tier: 1, min_conversions: 0, rate: '8.00' },
      { tier: 2, min_conversions: 100, rate: '10.00' },
    ]);
    expect(a.webhooks).toEqual([]);
  });

  it('a snapshot does not change afterwards; reset() restores the seed, id numbering and counters, and keeps keys and faults', async () => {
    const key = await em.createApiKey(['links:write', 'links:read']);
    const before = em.state;
    await post('/links', { campaign_id: 'camp_001' });
    await post('/conversions/track', { click_id: 'clk_003', order_id: 'ORD-RESET', amount: '9.99' });
    await post('/call-tracking/numbers', { type: 'vanity' });
    await post('/webhooks', { url: 'https://a.example/h', events: ['click.created'], secret: 'whsec_r' });
    const token = (await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: user.email, password: user.password } })).body.data
      .accessToken;
    await call(`${em.convertlyBaseUrl}/discounts`, { method: 'POST', token, json: { code: 'GONE' } });

    expect(before.affilync.links).toHaveLength(250);
    const during = em.state;
    expect([during.affilync.links.length, during.affilync.conversions.length, during.affilync.commissions.length]).toEqual([251, 121, 121]);
    expect([during.affilync.callNumbers.length, during.affilync.webhooks.length, during.convertly.discounts.length]).toEqual([7, 1, 2]);
    expect(em.counters.affilync.calls).toBe(4);

    em.fault({ provider: 'affilync', path: '/campaigns', status: 503 });
    em.reset();
    expect(em.state).toEqual(before);
    expect(em.counters.affilync).toEqual({ logins: 0, refreshes: 0, calls: 0, rejected: 0, failedLogins: 0, failedRefreshes: 0, rateLimited: 0 });
    expect(em.counters.convertly.logins).toBe(0);
    // The same order and the same ids again: the numbering restarts after the seed.
    expect((await post('/conversions/track', { click_id: 'clk_003', order_id: 'ORD-RESET', amount: '9.99' })).body.data.id).toBe('conv_121');
    expect((await post('/links', { campaign_id: 'camp_001' }, { token: key })).body.id).toBe('lnk_251');
    expect((await affilync('/campaigns')).status).toBe(503); // faults survive reset()
    expect((await call(`${em.convertlyBaseUrl}/discounts`, { token })).body.data).toHaveLength(1); // so do tokens
  });
});
