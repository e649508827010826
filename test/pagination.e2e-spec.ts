import { ProviderInvalidResponseError } from '../lib/index.js';
import { EMULATOR_DEFAULT_USER, ProviderEmulator } from '../lib/testing/index.js';
import { FakeServer } from './support/fake-server.js';
import { sleep, startClients, type Clients } from './support/nest-clients.js';

const ids = (items: unknown[]) => items.map((i) => (i as { id: string }).id);

async function collect<T>(it: AsyncIterable<T>, each?: () => Promise<void>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of it) {
    out.push(item);
    if (each) await each();
  }
  return out;
}

describe('paginate()', () => {
  let emulator: ProviderEmulator;
  let app: Clients;
  const user = EMULATOR_DEFAULT_USER;

  beforeAll(async () => {
    emulator = await ProviderEmulator.start({ accessTokenTtlSec: 1 });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    emulator.resetCounters();
    app = await startClients({
      affilync: { baseUrl: emulator.affilyncBaseUrl, email: user.email, password: user.password },
      convertly: { baseUrl: emulator.convertlyBaseUrl, email: user.email, password: user.password },
    });
  });
  afterEach(() => app.close());

  it('Affilync: page/per_page (100 by default) until meta.total, each of 250 links exactly once, in order', async () => {
    const links = await collect(app.affilync.paginate('/links'));
    expect(links).toHaveLength(250);
    expect(new Set(ids(links)).size).toBe(250);
    expect(ids(links)[0]).toBe('lnk_001');
    expect(ids(links)[249]).toBe('lnk_250');
    expect(emulator.counters.affilync.calls).toBe(3);
  });

  it('Affilync: keeps the caller’s filters and page size', async () => {
    // The emulator's 250 links: every tenth is deactivated, so 225 are active.
    const links = await collect(app.affilync.paginate('/links', { per_page: 40, status: 'active' }));
    expect(links).toHaveLength(225);
    expect(links.every((l) => (l as { status: string }).status === 'active')).toBe(true);
    expect(emulator.counters.affilync.calls).toBe(6);
  });

  it('Convertly: limit (100 by default) and cursor until meta.cursor is null, each of 57 affiliates once', async () => {
    const all = await collect(app.convertly.paginate('/affiliates', { limit: 10 }));
    expect(all).toHaveLength(57);
    expect(new Set(ids(all)).size).toBe(57);
    expect(emulator.counters.convertly.calls).toBe(6);
  });

  it('a renewal in the middle of a long iteration does not restart it', async () => {
    // 1 s tokens, 250 links in pages of 25 with a pause per page: several renewals on the way.
    let n = 0;
    const links = await collect(app.affilync.paginate('/links', { per_page: 25 }), async () => {
      if (++n % 25 === 0) await sleep(250);
    });
    expect(new Set(ids(links)).size).toBe(250);
    expect(links).toHaveLength(250);
    expect(emulator.counters.affilync.calls).toBe(10);
    expect(emulator.counters.affilync.logins).toBe(1);
    expect(emulator.counters.affilync.refreshes).toBeGreaterThanOrEqual(2);
  });

  it('refuses a page size over the documented maximum before sending anything', async () => {
    await expect(collect(app.affilync.paginate('/links', { per_page: 101 }))).rejects.toThrow(RangeError);
    await expect(collect(app.convertly.paginate('/affiliates', { limit: 0 }))).rejects.toThrow(/limit must be an integer from 1 to 100/);
    expect(emulator.counters.affilync.calls + emulator.counters.convertly.calls).toBe(0);
  });
});

describe('paginate() against a provider that never ends', () => {
  it('stops with ProviderInvalidResponseError when a cursor repeats, or a list answer has no data array', async () => {
    const fake = await FakeServer.start((req) =>
      req.path === '/v1/auth/brand/login'
        ? { json: { data: { accessToken: 'opaque-token-for-this-test' } } }
        : req.path === '/v1/broken'
          ? { json: { items: [] } }
          : { json: { data: [{ id: 'a' }], meta: { cursor: 'same' } } },
    );
    const app = await startClients({ convertly: { baseUrl: `${fake.origin}/v1`, email: 'a@b.c', password: 'pw-for-this-test' } });
    try {
      await expect(collect(app.convertly.paginate('/affiliates'))).rejects.toBeInstanceOf(ProviderInvalidResponseError);
      expect(fake.requests.filter((r) => r.path === '/v1/affiliates')).toHaveLength(2);
      await expect(collect(app.convertly.paginate('/broken'))).rejects.toThrow(/without a data array/);
    } finally {
      await app.close();
      await fake.close();
    }
  });
});
