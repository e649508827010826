import { ProviderApiError, ProviderAuthError, ProviderForbiddenError, ProviderInvalidResponseError, ProviderTimeoutError } from '../lib/index.js';
import { EMULATOR_DEFAULT_USER, ProviderEmulator } from '../lib/testing/index.js';
import { sleep, startClients, type Clients } from './support/nest-clients.js';

/** The clients against the ProviderEmulator, as a user's own integration tests would run them. */
describe('clients against the ProviderEmulator', () => {
  let emulator: ProviderEmulator;
  let app: Clients;
  const user = EMULATOR_DEFAULT_USER;

  beforeAll(async () => {
    emulator = await ProviderEmulator.start({ accessTokenTtlSec: 2 });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.resetCounters();
    emulator.clearFaults();
  });
  afterEach(() => app?.close());

  it('Affilync with an API key: scopes are enforced, a revoked key is a ProviderAuthError, no login ever', async () => {
    const key = await emulator.createApiKey(['campaigns:read']);
    app = await startClients({ affilync: { baseUrl: emulator.affilyncBaseUrl, apiKey: key }, http: { timeoutMs: 2_000 } });
    await expect(app.affilync.get('/campaigns')).resolves.toMatchObject({ meta: { total: 3 } });
    await expect(app.affilync.get('/links')).rejects.toMatchObject({ constructor: ProviderForbiddenError, code: 'INSUFFICIENT_SCOPE', status: 403 });
    await emulator.revokeApiKey(key);
    await expect(app.affilync.get('/campaigns')).rejects.toBeInstanceOf(ProviderAuthError);
    expect(emulator.counters.affilync).toMatchObject({ logins: 0, failedLogins: 0, calls: 3 });
  });

  it('Affilync by password: login once, rotate through several lifetimes, survive a server-side revocation', async () => {
    app = await startClients({ affilync: { baseUrl: emulator.affilyncBaseUrl, email: user.email, password: user.password } });
    await Promise.all(Array.from({ length: 20 }, () => app.affilync.get('/campaigns')));
    await sleep(1_700);
    await Promise.all(Array.from({ length: 20 }, () => app.affilync.get('/campaigns')));
    await sleep(1_700);
    await app.affilync.get('/campaigns');
    expect(emulator.counters.affilync).toMatchObject({ logins: 1, refreshes: 2, failedRefreshes: 0, rejected: 0 });
    await emulator.revokeAccessTokens('affilync');
    await app.affilync.get('/campaigns');
    expect(emulator.counters.affilync).toMatchObject({ logins: 1, refreshes: 3, rejected: 1 });
  });

  it('Convertly: refresh by rotation before expiry, and the Starter-plan 403', async () => {
    app = await startClients({ convertly: { baseUrl: emulator.convertlyBaseUrl, email: user.email, password: user.password } });
    await app.convertly.get('/affiliates');
    await sleep(1_700);
    await Promise.all(Array.from({ length: 20 }, () => app.convertly.get('/affiliates')));
    expect(emulator.counters.convertly).toMatchObject({ logins: 1, refreshes: 1, rejected: 0 });
    emulator.setPlan(user.email, 'starter');
    try {
      await expect(app.convertly.get('/affiliates')).rejects.toMatchObject({ constructor: ProviderForbiddenError, status: 403, code: 'Forbidden' });
    } finally {
      emulator.setPlan(user.email, user.plan!);
    }
  });

  it('maps faults to the error classes: 5xx, a truncated login answer, a hang', async () => {
    app = await startClients({ convertly: { baseUrl: emulator.convertlyBaseUrl, email: user.email, password: user.password }, http: { timeoutMs: 300 } });
    emulator.fault({ provider: 'convertly', path: '/auth/brand/login', body: '{"data":{"accessTok' });
    await expect(app.convertly.get('/affiliates')).rejects.toBeInstanceOf(ProviderInvalidResponseError);
    // Nothing was kept from the bad answer: the next call logs in cleanly.
    await expect(app.convertly.get('/affiliates')).resolves.toBeDefined();
    expect(emulator.counters.convertly.logins).toBe(1);

    emulator.fault({ provider: 'convertly', path: '/affiliates', method: 'POST', status: 503 });
    await expect(app.convertly.post('/affiliates', { name: 'x' })).rejects.toMatchObject({
      constructor: ProviderApiError,
      status: 503,
      retryable: true,
    });

    emulator.fault({ provider: 'convertly', path: '/affiliates', hang: true });
    const started = Date.now();
    await expect(app.convertly.get('/affiliates')).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
