import { AffilyncClient, ConvertlyClient, ProviderAuthConfigError } from '../lib/index.js';
import { DocsAffilync, DocsConvertly } from './support/docs-resource-fakes.js';
import { startClients, type Clients } from './support/nest-clients.js';

/**
 * A request the docs say is wrong never leaves the process: it is a TypeError (a RangeError for
 * sizes and ranges) naming the field, and the provider receives nothing. Values are written as a
 * caller without TypeScript (or with a cast) could send them.
 */
type Call = (a: AffilyncClient, c: ConvertlyClient) => PromiseLike<unknown>;
const loose = <T>(value: unknown) => value as T;

const refusals: [string, Call, ErrorConstructor | RangeErrorConstructor, RegExp][] = [
  [
    'links.list: status outside the enum',
    (a) => a.links.list(loose({ status: 'paused' })),
    TypeError,
    /links\.list: status must be one of 'active', 'deactivated'/,
  ],
  ['links.list: per_page over 100', (a) => a.links.list({ per_page: 101 }), RangeError, /per_page must be an integer from 1 to 100/],
  ['links.list: per_page 0', (a) => a.links.list({ per_page: 0 }), RangeError, /per_page/],
  ['links.list: per_page as a string', (a) => a.links.list(loose({ per_page: '50' })), TypeError, /per_page must be a number/],
  ['links.list: page 0', (a) => a.links.list({ page: 0 }), RangeError, /page must be an integer from 1/],
  ['links.list: page 1.5', (a) => a.links.list({ page: 1.5 }), RangeError, /page/],
  ['links.list: an undocumented filter', (a) => a.links.list(loose({ campaignId: 'camp_1' })), TypeError, /'campaignId' is not a documented field/],
  [
    'campaigns.list: a filter (none is documented)',
    (a) => a.campaigns.list(loose({ status: 'active' })),
    TypeError,
    /campaigns\.list: 'status' is not a documented field/,
  ],
  ['campaigns.commissionTiers: no id', (a) => a.campaigns.commissionTiers(loose(undefined)), TypeError, /campaignId must be an id/],
  ['campaigns.commissionTiers: an id that leaves its segment', (a) => a.campaigns.commissionTiers(loose('camp_1/../../admin')), TypeError, /campaignId/],
  ['links.create: campaign_id missing', (a) => a.links.create(loose({ sub_id_1: 'x' })), TypeError, /links\.create: campaign_id is required/],
  ['links.create: params not an object', (a) => a.links.create(loose('camp_1')), TypeError, /params must be an object/],
  [
    'links.create: landing_page_url not a URL',
    (a) => a.links.create({ campaign_id: 'camp_1', landing_page_url: 'shop.example/p' }),
    TypeError,
    /landing_page_url must be an absolute http or https URL/,
  ],
  [
    'links.create: landing_page_url with another scheme',
    (a) => a.links.create({ campaign_id: 'camp_1', landing_page_url: 'javascript:alert(1)' }),
    TypeError,
    /landing_page_url/,
  ],
  ['links.create: an empty sub id', (a) => a.links.create({ campaign_id: 'camp_1', sub_id_2: '' }), TypeError, /sub_id_2 must be a non-empty string/],
  ['links.createMany: no links', (a) => a.links.createMany([]), TypeError, /links must be a non-empty array/],
  [
    'links.createMany: one link without campaign_id',
    (a) => a.links.createMany(loose([{ campaign_id: 'camp_1' }, { sub_id_1: 'x' }])),
    TypeError,
    /links\[1\]\.campaign_id is required/,
  ],
  [
    'links.createMany: one link with an unknown field',
    (a) => a.links.createMany(loose([{ campaign_id: 'camp_1', url: 'x' }])),
    TypeError,
    /'url' is not a documented field/,
  ],
  [
    'conversions.track: amount as a number',
    (a) => a.conversions.track(loose({ click_id: 'clk_1', order_id: 'o1', amount: 25 })),
    TypeError,
    /amount must be a decimal string such as '149\.99', not a number/,
  ],
  [
    'conversions.track: amount with a comma',
    (a) => a.conversions.track(loose({ click_id: 'clk_1', order_id: 'o1', amount: '25,00' })),
    TypeError,
    /amount must be a non-negative decimal string/,
  ],
  ['conversions.track: amount negative', (a) => a.conversions.track({ click_id: 'clk_1', order_id: 'o1', amount: '-5.00' }), TypeError, /amount/],
  ['conversions.track: amount in exponent form', (a) => a.conversions.track({ click_id: 'clk_1', order_id: 'o1', amount: '1e3' }), TypeError, /amount/],
  ['conversions.track: amount missing', (a) => a.conversions.track(loose({ click_id: 'clk_1', order_id: 'o1' })), TypeError, /amount is required/],
  ['conversions.track: order_id missing', (a) => a.conversions.track(loose({ click_id: 'clk_1', amount: '1.00' })), TypeError, /order_id is required/],
  ['conversions.track: click_id missing', (a) => a.conversions.track(loose({ order_id: 'o1', amount: '1.00' })), TypeError, /click_id is required/],
  [
    'conversions.track: order_id as a number',
    (a) => a.conversions.track(loose({ click_id: 'clk_1', order_id: 1001, amount: '1.00' })),
    TypeError,
    /order_id must be a non-empty string/,
  ],
  [
    'conversions.track: event_type outside the enum',
    (a) => a.conversions.track(loose({ click_id: 'clk_1', order_id: 'o1', amount: '1.00', event_type: 'purchase' })),
    TypeError,
    /event_type must be one of 'sale', 'lead', 'signup', 'trial'/,
  ],
  [
    'conversions.track: currency in lower case',
    (a) => a.conversions.track({ click_id: 'clk_1', order_id: 'o1', amount: '1.00', currency: 'usd' }),
    TypeError,
    /currency must be a three-letter upper-case currency code/,
  ],
  [
    'conversions.track: customer_email not an address',
    (a) => a.conversions.track({ click_id: 'clk_1', order_id: 'o1', amount: '1.00', customer_email: 'nobody' }),
    TypeError,
    /customer_email must be an email address/,
  ],
  [
    'conversions.track: metadata an array',
    (a) => a.conversions.track(loose({ click_id: 'clk_1', order_id: 'o1', amount: '1.00', metadata: ['x'] })),
    TypeError,
    /metadata must be a plain object/,
  ],
  [
    'callTracking.numbers.create: type outside the enum',
    (a) => a.callTracking.numbers.create(loose({ type: 'mobile' })),
    TypeError,
    /type must be one of 'local', 'toll_free', 'vanity'/,
  ],
  ['callTracking.numbers.create: type missing', (a) => a.callTracking.numbers.create(loose({ area_code: '415' })), TypeError, /type is required/],
  ['callTracking.numbers.list: per_page over 100', (a) => a.callTracking.numbers.list({ per_page: 500 }), RangeError, /per_page/],
  [
    'callTracking.calls.list: start_date with slashes',
    (a) => a.callTracking.calls.list({ start_date: '2026/03/01' }),
    TypeError,
    /start_date must be a calendar date written YYYY-MM-DD/,
  ],
  ['callTracking.calls.list: end_date that does not exist', (a) => a.callTracking.calls.list({ end_date: '2026-02-30' }), TypeError, /end_date/],
  ['callTracking.calls.list: a date and time', (a) => a.callTracking.calls.list({ start_date: '2026-03-01T00:00:00Z' }), TypeError, /start_date/],
  [
    'callTracking.calls.list: dates out of order',
    (a) => a.callTracking.calls.list({ start_date: '2026-03-31', end_date: '2026-03-01' }),
    RangeError,
    /start_date must not be after end_date/,
  ],
  ['callTracking.calls.list: outcome outside the enum', (a) => a.callTracking.calls.list(loose({ outcome: 'missed' })), TypeError, /outcome must be one of/],
  ['callTracking.calls.recording: empty id', (a) => a.callTracking.calls.recording(loose('')), TypeError, /callId must be an id/],
  [
    'commissions.list: status outside the enum',
    (a) => a.commissions.list(loose({ status: 'refunded' })),
    TypeError,
    /status must be one of 'pending', 'approved', 'paid', 'cancelled', 'reversed'/,
  ],
  [
    'commissions.list: date_from not YYYY-MM-DD',
    (a) => a.commissions.list({ date_from: '01-02-2026' }),
    TypeError,
    /date_from must be a calendar date written YYYY-MM-DD/,
  ],
  [
    'commissions.list: dates out of order',
    (a) => a.commissions.list({ date_from: '2026-02-01', date_to: '2026-01-31' }),
    RangeError,
    /date_from must not be after date_to/,
  ],
  ['commissions.get: an id with a slash', (a) => a.commissions.get(loose('comm_1/x')), TypeError, /commissionId/],
  [
    'webhooks.create: url not http(s)',
    (a) => a.webhooks.create({ url: 'ftp://files.example/x', events: ['conversion.created'], secret: 'whsec_0123456789' }),
    TypeError,
    /url must be an absolute http or https URL/,
  ],
  [
    'webhooks.create: an undocumented event',
    (a) => a.webhooks.create(loose({ url: 'https://a.example/h', events: ['conversion.created', 'order.paid'], secret: 'whsec_0123456789' })),
    TypeError,
    /events\[1\] must be one of 'click\.created'/,
  ],
  [
    'webhooks.create: no events',
    (a) => a.webhooks.create({ url: 'https://a.example/h', events: [], secret: 'whsec_0123456789' }),
    TypeError,
    /events must be a non-empty array/,
  ],
  ['webhooks.create: no secret', (a) => a.webhooks.create(loose({ url: 'https://a.example/h', events: ['call.started'] })), TypeError, /secret is required/],
  [
    'convertly affiliates.list: limit over 100',
    (_, c) => c.affiliates.list({ limit: 101 }),
    RangeError,
    /Convertly affiliates\.list: limit must be an integer from 1 to 100/,
  ],
  ['convertly affiliates.list: limit as a string', (_, c) => c.affiliates.list(loose({ limit: '10' })), TypeError, /limit must be a number/],
  [
    'convertly affiliates.list: a filter (none is documented)',
    (_, c) => c.affiliates.list(loose({ status: 'active' })),
    TypeError,
    /'status' is not a documented field/,
  ],
  ['convertly affiliates.list: an empty cursor', (_, c) => c.affiliates.list({ cursor: '' }), TypeError, /cursor must be a non-empty string/],
];

describe('requests refused before anything is sent', () => {
  let affilync: DocsAffilync;
  let convertly: DocsConvertly;
  let app: Clients;

  beforeAll(async () => {
    affilync = await DocsAffilync.start(5);
    convertly = await DocsConvertly.start(5);
    app = await startClients({
      affilync: { baseUrl: affilync.baseUrl, apiKey: affilync.apiKey },
      convertly: { baseUrl: convertly.baseUrl, email: convertly.email, password: convertly.password },
    });
  });
  afterAll(async () => {
    await app.close();
    await affilync.close();
    await convertly.close();
  });

  it.each(refusals)('%s', async (_, call, kind, message) => {
    const refused = call(app.affilync, app.convertly);
    await expect(refused).rejects.toThrow(message);
    await expect(refused).rejects.toBeInstanceOf(kind);
    // A list refuses the same way when iterated.
    if (Symbol.asyncIterator in refused) {
      const iterator = (refused as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      await expect(iterator.next()).rejects.toThrow(message);
    }
    expect(affilync.server.requests).toEqual([]);
    expect(convertly.server.requests).toEqual([]);
  });

  it('never quotes the refused value, only the field', async () => {
    await expect(app.affilync.conversions.track(loose({ click_id: 'clk_1', order_id: 'o1', amount: 'SECRET-ISH 12' }))).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SECRET-ISH') }),
    );
    await expect(app.affilync.links.list(loose({ 'evil\nkey': 1 }))).rejects.toThrow(/'\(a key that is not a field name\)' is not a documented field/);
  });

  it('the same requests, written correctly, are sent', async () => {
    await expect(app.affilync.links.list({ per_page: 100, page: 1 })).resolves.toMatchObject({ meta: { per_page: 100 } });
    await expect(app.convertly.affiliates.list({ limit: 1 })).resolves.toMatchObject({ data: [{ id: 'def001' }] });
    expect(affilync.requests).toHaveLength(1);
    expect(convertly.requests).toHaveLength(1);
  });
});

describe('an unconfigured client', () => {
  it('has every namespace, and throws its ProviderAuthConfigError only when a method is called', async () => {
    const convertly = await DocsConvertly.start(1);
    const app = await startClients({ convertly: { baseUrl: convertly.baseUrl, email: convertly.email, password: convertly.password } });
    try {
      const affilync = app.module.get(AffilyncClient);
      expect(affilync.configured).toBe(false);
      expect(typeof affilync.callTracking.calls.recording).toBe('function');
      await expect(affilync.links.list()).rejects.toBeInstanceOf(ProviderAuthConfigError);
      await expect(affilync.conversions.track({ click_id: 'clk_1', order_id: 'o1', amount: '1.00' })).rejects.toThrow(/'affilync' block/);
      await expect(affilync.earnings.summary()).rejects.toBeInstanceOf(ProviderAuthConfigError);
    } finally {
      await app.close();
      await convertly.close();
    }
  });
});
