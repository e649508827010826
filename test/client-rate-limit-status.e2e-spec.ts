/**
 * client.rateLimitStatus(): the budget of the client's credential as the provider last reported it,
 * for dashboards. Affilync sends X-RateLimit-* on every answer (429s included); Convertly sends none.
 */
import { ProviderAuthConfigError } from '../lib/index.js';
import { FakeServer, type FakeAnswer } from './support/fake-server.js';
import { secretAudit } from './support/secret-audit.js';
import { startClients, type Clients } from './support/nest-clients.js';

const KEY = 'afk_live_ratelimitstatus0123456';
secretAudit.registerSecret(KEY);

describe('client.rateLimitStatus()', () => {
  let fake: FakeServer;
  let app: Clients;
  let next: FakeAnswer;
  const resetSec = () => Math.floor(Date.now() / 1000) + 42;

  beforeEach(async () => {
    fake = await FakeServer.start(() => next);
    app = await startClients({ affilync: { baseUrl: `${fake.origin}/api`, apiKey: KEY }, http: { maxRetries: 0, maxRetryAfterMs: 1_500 } });
  });
  afterEach(async () => {
    await app.close();
    await fake.close();
  });

  it('is undefined before any answer, then the latest headers (resetAt in epoch ms)', async () => {
    expect(app.affilync.rateLimitStatus()).toBeUndefined();
    const reset = resetSec();
    next = { json: { data: [] }, headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '287', 'X-RateLimit-Reset': String(reset) } };
    await app.affilync.get('/campaigns');
    expect(app.affilync.rateLimitStatus()).toEqual({ limit: 300, remaining: 287, resetAt: reset * 1000 });
    next = { json: { data: [] }, headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '286', 'X-RateLimit-Reset': String(reset) } };
    await app.affilync.get('/campaigns');
    expect(app.affilync.rateLimitStatus()).toMatchObject({ remaining: 286 });
  });

  it('once the reported reset has passed, shows the whole limit back (no resetAt) until the next call says more', async () => {
    next = { json: { data: [] }, headers: { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '7', 'X-RateLimit-Reset': String(Date.now() + 300) } };
    await app.affilync.get('/campaigns');
    expect(app.affilync.rateLimitStatus()).toMatchObject({ limit: 300, remaining: 7 });
    await new Promise((r) => setTimeout(r, 400));
    expect(app.affilync.rateLimitStatus()).toEqual({ limit: 300, remaining: 300 });
  });

  it('follows a 429 too, and keeps the last state when an answer carries no headers', async () => {
    next = {
      status: 429,
      headers: { 'Retry-After': '1', 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0' },
      json: { detail: 'Too many requests', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 },
    };
    await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ status: 429 });
    expect(app.affilync.rateLimitStatus()).toEqual({ limit: 60, remaining: 0 });
    next = { json: { data: [] } };
    // Nothing left and no reset given: the budget is back after the assumed minute; the status
    // stays the last one known whatever the answers (without headers) say meanwhile.
    await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ name: 'ProviderRateLimitError' });
    expect(app.affilync.rateLimitStatus()).toEqual({ limit: 60, remaining: 0 });
  });

  it('with a plan, Convertly shows the budget of the plan as the calls spend it', async () => {
    const convertly = await startClients({ convertly: { baseUrl: `${fake.origin}/v1`, email: 'plan@example.com', password: 'pw-status-1', plan: 'growth' } });
    try {
      expect(convertly.convertly.rateLimitStatus()).toBeUndefined();
      next = { json: { data: { accessToken: 'x.e30.y' } } };
      await convertly.convertly.get('/affiliates');
      expect(convertly.convertly.rateLimitStatus()).toMatchObject({ limit: 100, remaining: 99 });
      expect(convertly.convertly.rateLimitStatus()!.resetAt).toBeGreaterThan(Date.now() + 59_000);
    } finally {
      await convertly.close();
    }
  });

  it('a client whose block is not configured throws its ProviderAuthConfigError', () => {
    expect(() => app.convertly.rateLimitStatus()).toThrow(ProviderAuthConfigError);
  });
});
