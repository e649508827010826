import { Agent, MockAgent, ProxyAgent, request } from 'undici';
import * as undici6 from 'undici-v6';
import { ProviderAuthConfigError, ProviderNetworkError, type ProviderAuthModuleOptions } from '../lib/index.js';
import { ProviderEmulator } from '../lib/testing/index.js';
import { ForwardProxy } from './support/forward-proxy.js';
import { startClients, type Clients } from './support/nest-clients.js';
import { secretAudit } from './support/secret-audit.js';

/** `http.dispatcher`: the user's undici 7 Dispatcher carries every call (a proxy, a mock). */
describe('http.dispatcher', () => {
  let emulator: ProviderEmulator;
  let app: Clients | undefined;
  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
  });
  afterAll(() => emulator.close());
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const hostOf = (baseUrl: string) => new URL(baseUrl).host;

  describe('through a local forward proxy (ProxyAgent)', () => {
    let proxy: ForwardProxy;
    const proxyAuth = `Basic ${Buffer.from('svc:proxy-password-0001').toString('base64')}`;
    beforeAll(async () => {
      secretAudit.registerSecret(proxyAuth);
      proxy = await ForwardProxy.start({ auth: proxyAuth });
    });
    afterAll(() => proxy.close());

    it('sends logins, calls and forAccount() calls of both providers through the proxy, and leaves the agent open at shutdown', async () => {
      const agent = new ProxyAgent({ uri: proxy.url, token: proxyAuth });
      app = await startClients({ ...emulator.clientOptions({ affilync: 'password' }), http: { dispatcher: agent } });
      const before = proxy.tunnels.length;
      await app.affilync.get('/campaigns');
      await app.convertly.affiliates.list();
      await app.affilync.forAccount({ apiKey: emulator.apiKey }).links.list();
      expect(new Set(proxy.tunnels.slice(before))).toEqual(new Set([hostOf(emulator.affilyncBaseUrl), hostOf(emulator.convertlyBaseUrl)]));
      expect(emulator.counters.affilync.logins + emulator.counters.convertly.logins).toBeGreaterThanOrEqual(2);
      await app.close();
      app = undefined;
      // The dispatcher is the user's: still usable after the module shut down.
      const after = await request(`${emulator.affilyncBaseUrl}/campaigns`, { dispatcher: agent });
      await after.body.dump();
      expect(after.statusCode).toBe(401);
      await agent.close();
    });

    it('reports a proxy that refuses the client as a network error, without the proxy credentials', async () => {
      app = await startClients({ ...emulator.clientOptions(), http: { dispatcher: new ProxyAgent({ uri: proxy.url }), maxRetries: 0 } });
      const refusedBefore = proxy.refused;
      const error = await app.affilync.get('/campaigns').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderNetworkError);
      expect(proxy.refused).toBeGreaterThan(refusedBefore);
    });
  });

  it('answers from a MockAgent with no network at all, the credential in the request it sees', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    const apiKey = 'afk_live_mocked-key-0123456789abcdef';
    secretAudit.registerSecret(apiKey);
    mock
      .get('https://api.affilync.com')
      .intercept({ path: '/api/campaigns?status=active', method: 'GET', headers: { authorization: `Bearer ${apiKey}` } })
      .reply(200, { data: [{ id: 'cmp_mock' }], meta: { page: 1, per_page: 20, total: 1 } }, { headers: { 'content-type': 'application/json' } });
    app = await startClients({ affilync: { apiKey }, http: { dispatcher: mock } });
    expect(await app.affilync.get('/campaigns', { query: { status: 'active' } })).toEqual({
      data: [{ id: 'cmp_mock' }],
      meta: { page: 1, per_page: 20, total: 1 },
    });
    mock.assertNoPendingInterceptors();
    await mock.close();
  });

  it('accepts a plain undici 7 Agent', async () => {
    const agent = new Agent({ connections: 2 });
    app = await startClients({ ...emulator.clientOptions(), http: { dispatcher: agent } });
    await expect(app.affilync.get('/campaigns')).resolves.toMatchObject({ data: expect.any(Array) });
    await app.close();
    app = undefined;
    await agent.close();
  });

  it('accepts a dispatcher that is no instance of the package’s undici but drives undici 7 handlers (another copy, a wrapper)', async () => {
    const agent = new Agent();
    let dispatched = 0;
    const wrapper = {
      dispatch: (opts: unknown, handler: unknown) => {
        dispatched++;
        return agent.dispatch(opts as never, handler as never);
      },
    };
    app = await startClients({ ...emulator.clientOptions(), http: { dispatcher: wrapper as never } });
    const probes = dispatched; // asked once at bootstrap, with nothing sent
    await app.affilync.get('/campaigns');
    expect(dispatched).toBe(probes + 1);
    await app.close();
    app = undefined;
    await agent.close();
  });

  const refused: [string, () => unknown, RegExp][] = [
    ['an object without dispatch()', () => ({}), /must be an undici 7 Dispatcher/],
    ['a function', () => () => undefined, /must be an undici 7 Dispatcher/],
    ['a dispatcher that does not speak undici 7 handlers', () => ({ dispatch: () => true }), /does not drive undici 7's request handlers/],
    ['an undici 6 Agent', () => new undici6.Agent(), /does not drive undici 7's request handlers/],
    ['an undici 6 ProxyAgent', () => new undici6.ProxyAgent('http://127.0.0.1:9'), /does not drive undici 7's request handlers/],
    ['an undici 6 MockAgent', () => new undici6.MockAgent(), /does not drive undici 7's request handlers/],
  ];
  it.each(refused)('refuses %s at bootstrap, naming http.dispatcher', async (_, make, problem) => {
    const error = await startClients({ ...emulator.clientOptions(), http: { dispatcher: make() } } as ProviderAuthModuleOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderAuthConfigError);
    const issues = (error as ProviderAuthConfigError).issues;
    expect(issues.map((i) => i.path)).toEqual(['http.dispatcher']);
    expect(issues[0].problem).toMatch(problem);
  });
});
