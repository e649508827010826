import { ProviderAuthError } from '../lib/index.js';
import { FakeConvertly } from './support/fake-providers.js';
import { secretAudit } from './support/secret-audit.js';
import { sleep, startClients, type Clients } from './support/nest-clients.js';

describe('ConvertlyClient against a docs-faithful Convertly', () => {
  let fake: FakeConvertly;
  let app: Clients | undefined;
  beforeAll(() => secretAudit.registerSecret('not-the-password'));
  const start = () => startClients({ convertly: { baseUrl: fake.baseUrl, email: fake.email, password: fake.password } });

  beforeEach(async () => {
    fake = await FakeConvertly.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.close();
  });

  it('logs in lazily, once for 50 concurrent first calls, and returns the body unchanged', async () => {
    app = await start();
    expect(fake.counters.logins).toBe(0);
    const results = await Promise.all(Array.from({ length: 50 }, () => app!.convertly.get('/affiliates')));
    expect(results[0]).toEqual({ data: [{ id: 'aff_1' }], meta: { total: 1, cursor: null } });
    expect(fake.counters.logins).toBe(1);
  });

  it('renews once near expiry with no failed call, although the old token dies on refresh', async () => {
    fake.ttlSec = 2;
    fake.callDelayMs = 30; // calls in flight across the refresh reach the server after the old token died
    app = await start();
    await app.convertly.get('/affiliates');
    const until = Date.now() + 1_850;
    const loops = Array.from({ length: 10 }, async () => {
      let failures = 0;
      while (Date.now() < until) {
        await app!.convertly.get('/affiliates').catch(() => failures++);
      }
      return failures;
    });
    const failures = (await Promise.all(loops)).reduce((a, b) => a + b, 0);
    expect(failures).toBe(0);
    expect(fake.counters.refreshes).toBe(1);
    expect(fake.counters.logins).toBe(1);
    expect(fake.counters.failedRefreshes).toBe(0);
  });

  it('replays calls that were in flight with the old token, without another refresh', async () => {
    fake.ttlSec = 2;
    app = await start();
    const loggedInAt = Date.now();
    await app.convertly.get('/affiliates');
    fake.callDelayMs = 600; // their token is checked ~1.85 s into its life, after the refresh below
    await sleep(loggedInAt + 1_250 - Date.now()); // token at ~62% of its life: the calls below leave with it
    const inFlight = Promise.all(Array.from({ length: 5 }, () => app!.convertly.get('/affiliates')));
    await sleep(400); // past the refresh point: this call refreshes while the others are in flight
    await app.convertly.get('/affiliates');
    await inFlight;
    expect(fake.counters.refreshes).toBe(1);
    expect(fake.counters.logins).toBe(1);
    expect(fake.counters.rejected).toBe(5);
  });

  it('logs in again (no refresh attempt) once the token has expired', async () => {
    fake.ttlSec = 2;
    app = await start();
    await app.convertly.get('/affiliates');
    await sleep(2_100);
    await app.convertly.get('/affiliates');
    expect(fake.counters).toMatchObject({ logins: 2, refreshes: 0, failedRefreshes: 0, rejected: 0 });
  });

  it('answers a rejected token with a login (refresh needs a live token), then one replay, then an error', async () => {
    app = await start();
    await app.convertly.get('/affiliates');
    fake.live.clear();
    await expect(app.convertly.get('/affiliates')).resolves.toBeDefined();
    expect(fake.counters).toMatchObject({ logins: 2, refreshes: 0, failedRefreshes: 0, rejected: 1 });

    fake.rejectAll = true;
    await expect(app.convertly.get('/affiliates')).rejects.toMatchObject({ constructor: ProviderAuthError, status: 401 });
    expect(fake.counters).toMatchObject({ logins: 3, refreshes: 0, rejected: 3 });
  });

  it('fails cleanly on bad credentials', async () => {
    app = await startClients({ convertly: { baseUrl: fake.baseUrl, email: fake.email, password: 'not-the-password' } });
    const err = await app.convertly.get('/affiliates').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthError);
    expect(err).toMatchObject({ provider: 'convertly', status: 401, code: 'Unauthorized' });
    expect((err as Error).message).toMatch(/Convertly answered 401 to login/);
    expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain('not-the-password');
    expect(fake.counters.failedLogins).toBe(1);
  });
});
