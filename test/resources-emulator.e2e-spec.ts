import { ProviderApiError, type AffilyncClient, type CampaignId, type CallId, type ClickId, type CommissionId, type ConvertlyClient } from '../lib/index.js';
import { ProviderEmulator } from '../lib/testing/index.js';
import { DocsAffilync, DocsConvertly } from './support/docs-resource-fakes.js';
import { startClients, type Clients } from './support/nest-clients.js';

/**
 * The typed methods against the emulator give the answers they give against servers written from
 * the providers' docs alone (test/support/docs-resource-fakes.ts): the same documented fields, of
 * the same kinds (ids with their prefixes, money as decimal strings, dates as ISO strings), in the
 * same envelopes. Then the emulator on its own: pagination, refusals, errors and retries, all
 * through the public API.
 */

/** Ids valid on one server, for the calls that need one. */
interface Ids {
  campaign: CampaignId;
  click: ClickId;
  call: CallId;
  commission: CommissionId;
}

/** What a value is, as the docs describe values: ids by prefix, money, dates; null and absent alike (NOT DOCUMENTED which). */
function kindOf(value: unknown): unknown {
  if (value === null || value === undefined) return 'absent';
  if (Array.isArray(value)) return value.length === 0 ? ['empty'] : [kindOf(value[0])];
  if (typeof value === 'string') {
    const prefix = /^(camp|lnk|conv|comm|aff|usr|clk|call|num|flow|wh|evt)_/.exec(value);
    if (prefix) return `id:${prefix[1]}_`;
    if (/^\d+\.\d{2}$/.test(value)) return 'money';
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) return 'datetime';
    if (/^https?:\/\//.test(value)) return 'url';
    return 'string';
  }
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/** The documented fields of an answer, each as its kind. */
function shape(value: unknown, fields: readonly string[]): Record<string, unknown> {
  const o = value as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, kindOf(o[f])]));
}

/** A list page: the documented meta, and the documented fields of its first item. */
const pageShape = (page: { data: unknown[]; meta: object }, fields: readonly string[], meta: readonly string[]) => ({
  meta: shape(page.meta, meta),
  item: shape(page.data[0], fields),
  nonEmpty: page.data.length > 0,
});

const AFFILYNC_META = ['page', 'per_page', 'total'];
let order = 0;
const nextOrder = () => `ORD-PARITY-${process.pid}-${++order}`;

/** Every typed method, each reduced to the documented part of its answer. */
const calls: { name: string; run: (a: AffilyncClient, c: ConvertlyClient, ids: Ids) => Promise<unknown> }[] = [
  { name: 'campaigns.list', run: async (a) => pageShape(await a.campaigns.list(), ['id'], AFFILYNC_META) },
  {
    name: 'campaigns.commissionTiers',
    run: async (a, _, ids) => (await a.campaigns.commissionTiers(ids.campaign)).map((t) => shape(t, ['tier', 'min_conversions', 'rate']))[0],
  },
  {
    name: 'links.list',
    run: async (a, _, ids) => pageShape(await a.links.list({ campaign_id: ids.campaign, status: 'active' }), ['id', 'campaign_id', 'status'], AFFILYNC_META),
  },
  {
    name: 'links.create',
    run: async (a, _, ids) =>
      shape(await a.links.create({ campaign_id: ids.campaign, sub_id_1: 'spring', landing_page_url: 'https://shop.example/p' }), [
        'id',
        'campaign_id',
        'status',
        'sub_id_1',
        'landing_page_url',
        'tracking_url',
        'short_url',
      ]),
  },
  {
    name: 'links.createMany',
    run: async (a, _, ids) => {
      const result = await a.links.createMany([{ campaign_id: ids.campaign }, { campaign_id: ids.campaign, sub_id_2: 'b' }]);
      return { created: result.created, links: result.links.map((l) => shape(l, ['id', 'campaign_id', 'status', 'sub_id_2'])) };
    },
  },
  {
    name: 'conversions.track',
    run: async (a, _, ids) =>
      shape(await a.conversions.track({ click_id: ids.click, order_id: nextOrder(), amount: '149.99', event_type: 'sale' }), [
        'id',
        'click_id',
        'order_id',
        'amount',
        'currency',
        'event_type',
      ]),
  },
  { name: 'callTracking.numbers.list', run: async (a) => pageShape(await a.callTracking.numbers.list(), ['id', 'type', 'area_code'], AFFILYNC_META) },
  {
    name: 'callTracking.numbers.create',
    run: async (a) =>
      shape(await a.callTracking.numbers.create({ type: 'local', area_code: '415', display_name: 'Spring' }), ['id', 'type', 'area_code', 'display_name']),
  },
  {
    name: 'callTracking.calls.list',
    run: async (a) => pageShape(await a.callTracking.calls.list({ outcome: 'qualified' }), ['id', 'number_id', 'outcome', 'duration'], AFFILYNC_META),
  },
  { name: 'callTracking.calls.recording', run: async (a, _, ids) => shape(await a.callTracking.calls.recording(ids.call), ['recording_url']) },
  {
    name: 'commissions.list',
    run: async (a) => pageShape(await a.commissions.list({ status: 'pending' }), ['id', 'status', 'campaign_id', 'amount'], AFFILYNC_META),
  },
  { name: 'commissions.get', run: async (a, _, ids) => shape(await a.commissions.get(ids.commission), ['id', 'status', 'campaign_id', 'amount']) },
  { name: 'earnings.summary', run: async (a) => shape(await a.earnings.summary(), ['total_earned', 'pending', 'available_for_payout']) },
  {
    name: 'webhooks.create',
    run: async (a) =>
      shape(
        await a.webhooks.create({ url: 'https://app.example/hooks', events: ['conversion.created', 'call.completed'], secret: 'whsec_parity_secret_0001' }),
        ['id', 'url', 'events', 'status', 'created_at', 'secret'],
      ),
  },
  { name: 'affiliates.list', run: async (_, c) => pageShape(await c.affiliates.list({ limit: 20 }), ['id', 'status'], ['total', 'cursor']) },
];

describe('typed methods: the emulator answers as the docs do', () => {
  let emulator: ProviderEmulator;
  let onEmulator: Clients;
  let docsAffilync: DocsAffilync;
  let docsConvertly: DocsConvertly;
  let onDocs: Clients;
  let emulatorIds: Ids;
  const docsIds: Ids = { campaign: 'camp_001', click: 'clk_9f8e', call: 'call_001', commission: 'comm_001' };

  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
    onEmulator = await startClients(emulator.clientOptions());
    docsAffilync = await DocsAffilync.start();
    docsConvertly = await DocsConvertly.start();
    onDocs = await startClients({
      affilync: { baseUrl: docsAffilync.baseUrl, apiKey: docsAffilync.apiKey },
      convertly: { baseUrl: docsConvertly.baseUrl, email: docsConvertly.email, password: docsConvertly.password },
    });
    const state = emulator.state.affilync;
    // A call with a recording: the emulator has none for abandoned calls.
    const call = state.calls.find((c) => c.outcome !== 'abandoned')!;
    emulatorIds = {
      campaign: state.campaigns[0].id as CampaignId,
      click: state.clicks[0].id as ClickId,
      call: call.id as CallId,
      commission: state.commissions[0].id as CommissionId,
    };
  });
  afterAll(async () => {
    await onEmulator?.close();
    await onDocs?.close();
    await emulator?.close();
    await docsAffilync?.close();
    await docsConvertly?.close();
  });

  it.each(calls)('$name', async ({ run }) => {
    const fromDocs = await run(onDocs.affilync, onDocs.convertly, docsIds);
    const fromEmulator = await run(onEmulator.affilync, onEmulator.convertly, emulatorIds);
    expect(fromEmulator).toEqual(fromDocs);
    // Each answer says something: present fields of known kinds, not a shape of nothing.
    const present = JSON.stringify(fromEmulator).match(/"(id:[a-z]+_|money|url|datetime|string|number|object)"/g) ?? [];
    expect(present.length).toBeGreaterThan(0);
  });

  it('a duplicate order_id is 409 DUPLICATE_RESOURCE on both, never retried, with retried unset', async () => {
    for (const [clients, ids] of [
      [onDocs, docsIds],
      [onEmulator, emulatorIds],
    ] as const) {
      const params = { click_id: ids.click, order_id: nextOrder(), amount: '10.00' } as const;
      await clients.affilync.conversions.track(params);
      const err = await clients.affilync.conversions.track(params).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderApiError);
      expect(err).toMatchObject({ status: 409, code: 'DUPLICATE_RESOURCE', retryable: false });
      expect((err as ProviderApiError).retried).toBeUndefined();
    }
  });

  it('an unknown commission is 404 RESOURCE_NOT_FOUND on both', async () => {
    for (const clients of [onDocs, onEmulator]) {
      await expect(clients.affilync.commissions.get('comm_nope')).rejects.toMatchObject({ status: 404, code: 'RESOURCE_NOT_FOUND', retryable: false });
    }
  });
});

describe('typed methods on the emulator', () => {
  let emulator: ProviderEmulator;
  let app: Clients;
  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
    app = await startClients({ ...emulator.clientOptions(), http: { maxRetries: 2, maxRetryAfterMs: 1_000 } });
  });
  beforeEach(() => {
    emulator.reset();
    emulator.clearFaults();
  });
  afterAll(async () => {
    await app?.close();
    await emulator?.close();
  });

  it('iterates all 250 seeded links once each, asking for each page of 100 once', async () => {
    const seeded = emulator.state.affilync.links.map((l) => l.id);
    expect(seeded).toHaveLength(250);
    const seen: string[] = [];
    for await (const link of app.affilync.links.list()) seen.push(link.id);
    expect(seen).toEqual(seeded);
    expect(emulator.counters.affilync.calls).toBe(3);
  });

  it('awaited, a list is the first page as the emulator sent it, with meta', async () => {
    const first = await app.affilync.links.list({ status: 'deactivated' });
    const deactivated = emulator.state.affilync.links.filter((l) => l.status === 'deactivated');
    expect(deactivated.length).toBeGreaterThan(0);
    expect(first.meta).toEqual({ page: 1, per_page: 100, total: deactivated.length });
    expect(first.data.map((l) => l.id)).toEqual(deactivated.slice(0, 100).map((l) => l.id));
  });

  it('walks the creators by cursor, all four statuses, each once', async () => {
    const seen: string[] = [];
    const statuses = new Set<string | undefined>();
    for await (const creator of app.convertly.affiliates.list({ limit: 20 })) {
      seen.push(creator.id);
      statuses.add(creator.status);
    }
    expect(seen).toEqual(emulator.state.convertly.affiliates.map((a) => a.id));
    expect([...statuses].sort()).toEqual(['active', 'paused', 'pending', 'rejected']);
  });

  it('a bad request is refused before anything reaches the emulator', async () => {
    const affilync = app.affilync;
    const refusals = [
      () => affilync.links.list({ status: 'paused' as never }),
      () => affilync.links.list({ per_page: 101 }),
      () => affilync.conversions.track({ click_id: 'clk_001', order_id: 'ORD-X', amount: 12.5 as never }),
      () => affilync.callTracking.calls.list({ start_date: '02/12/2026' }),
      () => affilync.webhooks.create({ url: 'https://app.example/h', events: ['conversion.paid' as never], secret: 'whsec_x_long_enough' }),
    ];
    for (const refuse of refusals) await expect(refuse()).rejects.toBeInstanceOf(Error);
    expect(emulator.counters.affilync.calls).toBe(0);
  });

  it("the emulator's own 422 reaches the caller with fields[] and VALIDATION_ERROR", async () => {
    const campaign = emulator.state.affilync.campaigns[0].id as CampaignId;
    const tooMany = Array.from({ length: 101 }, () => ({ campaign_id: campaign }));
    const err = await app.affilync.links.createMany(tooMany).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422, code: 'VALIDATION_ERROR', retryable: false });
    expect((err as ProviderApiError).fields).toEqual([{ field: 'links', message: expect.stringContaining('100') }]);
    expect(emulator.state.affilync.links).toHaveLength(250);
  });

  it('a create that is not idempotent is sent once, even after a 503', async () => {
    const campaign = emulator.state.affilync.campaigns[0].id as CampaignId;
    emulator.fault({ provider: 'affilync', method: 'POST', path: '/links', status: 503 });
    await expect(app.affilync.links.create({ campaign_id: campaign })).rejects.toMatchObject({ status: 503 });
    expect(emulator.counters.affilync.calls).toBe(1);
    expect(emulator.state.affilync.links).toHaveLength(250);
  });

  it('conversions.track is retried after a 503 and records the conversion once', async () => {
    const click = emulator.state.affilync.clicks[0].id as ClickId;
    emulator.fault({ provider: 'affilync', method: 'POST', path: '/conversions/track', status: 503 });
    const before = emulator.state.affilync.conversions.length;
    const conversion = await app.affilync.conversions.track({ click_id: click, order_id: 'ORD-RETRY-1', amount: '20.00' });
    expect(conversion).toMatchObject({ order_id: 'ORD-RETRY-1', amount: '20.00', currency: 'USD' });
    expect(emulator.counters.affilync.calls).toBe(2);
    expect(emulator.state.affilync.conversions).toHaveLength(before + 1);
  });
});
