import type { AffilyncClient, ConvertlyClient } from '../lib/index.js';
import { DocsAffilync, DocsConvertly } from './support/docs-resource-fakes.js';
import type { FakeRequest } from './support/fake-server.js';
import { sleep, startClients, type Clients } from './support/nest-clients.js';

/** A list method is a promise of its first page and an async iterable over every item, like Stripe's. */
async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const ids = (items: unknown[]) => items.map((i) => (i as { id: string }).id);
const pages = (requests: FakeRequest[]) => requests.map((r) => `${r.path}?${r.query.toString()}`);

type Lister = (a: AffilyncClient) => AsyncIterable<unknown> & PromiseLike<{ data: unknown[] }>;

const affilyncLists: [string, string, Lister, (f: DocsAffilync) => { id: string }[]][] = [
  ['campaigns.list', '/api/campaigns', (a) => a.campaigns.list(), (f) => f.campaigns],
  ['links.list', '/api/links', (a) => a.links.list(), (f) => f.links],
  ['callTracking.numbers.list', '/api/call-tracking/numbers', (a) => a.callTracking.numbers.list(), (f) => f.numbers],
  ['callTracking.calls.list', '/api/call-tracking/calls', (a) => a.callTracking.calls.list(), (f) => f.calls],
  ['commissions.list', '/api/commissions', (a) => a.commissions.list(), (f) => f.commissions],
];

describe('list(): awaited, the first page; iterated, every item of every page once', () => {
  let affilync: DocsAffilync;
  let convertly: DocsConvertly;
  let app: Clients;

  beforeEach(async () => {
    affilync = await DocsAffilync.start(250);
    convertly = await DocsConvertly.start(250);
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

  describe.each(affilyncLists)('Affilync %s', (_, path, list, all) => {
    it('iterates 250 items in order, each once, asking for each page of 100 once', async () => {
      const items = await collect(list(app.affilync));
      expect(ids(items)).toEqual(ids(all(affilync)));
      expect(new Set(ids(items)).size).toBe(250);
      expect(pages(affilync.requests)).toEqual([1, 2, 3].map((p) => `${path}?page=${p}&per_page=100`));
    });

    it('awaited, resolves to the first page as sent, after one request', async () => {
      const first = await list(app.affilync);
      expect(first).toEqual({ data: all(affilync).slice(0, 100), meta: { page: 1, per_page: 100, total: 250 } });
      expect(pages(affilync.requests)).toEqual([`${path}?page=1&per_page=100`]);
    });

    it('awaited and then iterated, does not ask for the first page twice', async () => {
      const listed = list(app.affilync);
      expect((await listed).data).toHaveLength(100);
      expect(await collect(listed)).toHaveLength(250);
      expect(pages(affilync.requests)).toEqual([1, 2, 3].map((p) => `${path}?page=${p}&per_page=100`));
    });
  });

  it('sends nothing until awaited or iterated', async () => {
    const listed = app.affilync.links.list();
    await sleep(50);
    expect(affilync.requests).toHaveLength(0);
    expect(listed).toBeInstanceOf(Promise);
    await listed;
    expect(affilync.requests).toHaveLength(1);
  });

  it('keeps the filters and the page size on every page, and starts at the page asked for', async () => {
    const active = await collect(app.affilync.links.list({ status: 'active', per_page: 70 }));
    expect(active).toHaveLength(200);
    expect(active.every((l) => l.status === 'active')).toBe(true);
    expect(pages(affilync.requests)).toEqual([1, 2, 3].map((p) => `/api/links?status=active&page=${p}&per_page=70`));

    affilync.server.requests.length = 0;
    const fromPage2 = await collect(app.affilync.commissions.list({ page: 2 }));
    expect(ids(fromPage2)).toEqual(ids(affilync.commissions.slice(100)));
    expect(pages(affilync.requests)).toEqual(['/api/commissions?page=2&per_page=100', '/api/commissions?page=3&per_page=100']);
  });

  it('fetches only the pages the loop gets to', async () => {
    const seen: string[] = [];
    for await (const link of app.affilync.links.list()) {
      seen.push(link.id);
      if (seen.length === 150) break;
    }
    expect(pages(affilync.requests)).toEqual(['/api/links?page=1&per_page=100', '/api/links?page=2&per_page=100']);
  });

  it('each iteration of the same list walks all the pages again, sharing only the first', async () => {
    const listed = app.affilync.campaigns.list();
    expect(await collect(listed)).toHaveLength(250);
    expect(await collect(listed)).toHaveLength(250);
    expect(affilync.requests).toHaveLength(5);
  });

  it('Convertly affiliates.list: limit 100 and the cursor until it is null, 250 creators each once', async () => {
    const creators = await collect(app.convertly.affiliates.list());
    expect(ids(creators)).toEqual(ids(convertly.affiliates));
    const sent = convertly.requests.map((r) => Object.fromEntries(r.query));
    expect(sent).toEqual([
      { limit: '100' },
      { limit: '100', cursor: Buffer.from('{"id":"def100"}').toString('base64') },
      { limit: '100', cursor: Buffer.from('{"id":"def200"}').toString('base64') },
    ]);
  });

  it('Convertly: awaited, the first page with its cursor; then iterated from there', async () => {
    const listed = (c: ConvertlyClient) => c.affiliates.list({ limit: 40 });
    const first = await listed(app.convertly);
    expect(first.meta).toEqual({ total: 250, cursor: Buffer.from('{"id":"def040"}').toString('base64') });
    const again = listed(app.convertly);
    await again;
    expect(await collect(again)).toHaveLength(250);
    expect(convertly.requests).toHaveLength(1 + 7);
  });
});
