import { EMULATOR_DEFAULT_USER, ProviderEmulator, type EmulatorUser } from '../lib/testing/index.js';

/**
 * The emulator's `rateLimits` option over real HTTP: per-credential fixed windows, Affilync's
 * X-RateLimit-* headers and RATE_LIMIT_EXCEEDED body (PROVIDERS.md §1.5), Convertly's 429 with
 * Retry-After (§2.5), and nothing of the kind when the option is left out.
 */

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the emulator's JSON bodies, read field by field in the assertions
  body: any;
}

async function call(url: string, init: Omit<RequestInit, 'body'> & { token?: string; json?: unknown } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(url, { ...init, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** `n` calls one after the other (a window's count depends on order). */
async function times(n: number, one: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < n; i++) answers.push(await one());
  return answers;
}

const statuses = (answers: Answer[]) => answers.map((a) => a.status);
const header = (a: Answer, name: string) => a.headers.get(name);
const sleepUntil = (epochMs: number) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));

const OTHER: EmulatorUser = { email: 'other@example.com', password: 'other-password', plan: 'scale' };
const USERS = [EMULATOR_DEFAULT_USER, OTHER];

async function affilyncToken(em: ProviderEmulator, u: EmulatorUser = EMULATOR_DEFAULT_USER): Promise<{ access_token: string; refresh_token: string }> {
  const r = await call(`${em.affilyncBaseUrl}/auth/login`, { method: 'POST', json: { email: u.email, password: u.password } });
  expect(r.status).toBe(200);
  return r.body;
}

async function convertlyToken(em: ProviderEmulator, u: EmulatorUser = EMULATOR_DEFAULT_USER): Promise<string> {
  const r = await call(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', json: { email: u.email, password: u.password } });
  expect(r.status).toBe(200);
  return r.body.data.accessToken;
}

describe('ProviderEmulator rateLimits: explicit limits', () => {
  const WINDOW_MS = 2000;
  let em: ProviderEmulator;
  const campaigns = (token: string) => call(`${em.affilyncBaseUrl}/campaigns`, { token });
  const affiliates = (token: string) => call(`${em.convertlyBaseUrl}/affiliates`, { token });

  beforeAll(async () => {
    em = await ProviderEmulator.start({
      users: USERS,
      rateLimits: { affilync: { limit: 5, windowMs: WINDOW_MS }, convertly: { limit: 3, windowMs: WINDOW_MS } },
    });
  });
  afterAll(() => em.close());
  beforeEach(() => em.reset());

  it('Affilync: counts down, refuses the call over the limit with the documented body, and the budget is back at the reset', async () => {
    const before = Date.now();
    const answers = await times(6, () => campaigns(em.apiKey));
    const after = Date.now();

    expect(statuses(answers)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers.map((a) => header(a, 'x-ratelimit-limit'))).toEqual(Array(6).fill('5'));
    expect(answers.map((a) => header(a, 'x-ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0']);
    // One window: the same reset on every answer, in epoch seconds, never before the window's end.
    const resets = new Set(answers.map((a) => header(a, 'x-ratelimit-reset')));
    expect(resets.size).toBe(1);
    const reset = Number([...resets][0]);
    expect(Number.isInteger(reset)).toBe(true);
    expect(reset * 1000).toBeGreaterThanOrEqual(before + WINDOW_MS);
    expect(reset * 1000).toBeLessThan(after + WINDOW_MS + 1000);

    const refused = answers[5];
    expect(refused.body).toEqual({ detail: 'Rate limit exceeded', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    expect(header(refused, 'content-type')).toMatch(/^application\/json/);
    expect(header(refused, 'retry-after')).toBeNull(); // the docs show none: clients go by the reset
    expect(em.counters.affilync).toMatchObject({ calls: 6, rateLimited: 1, rejected: 0 });

    // Knocking again does not push the reset away.
    const again = await campaigns(em.apiKey);
    expect([again.status, header(again, 'x-ratelimit-reset')]).toEqual([429, String(reset)]);

    await sleepUntil(reset * 1000);
    const next = await campaigns(em.apiKey);
    expect(next.status).toBe(200);
    expect(header(next, 'x-ratelimit-remaining')).toBe('4');
    expect(Number(header(next, 'x-ratelimit-reset'))).toBeGreaterThan(reset - 1);
  });

  it('Affilync: a refused request never reaches the route (no link is created)', async () => {
    await times(5, () => campaigns(em.apiKey));
    const refused = await call(`${em.affilyncBaseUrl}/links`, { method: 'POST', token: em.apiKey, json: { campaign_id: 'camp_001' } });
    expect(refused.status).toBe(429);
    expect(em.state.affilync.links).toHaveLength(250);
  });

  it('Affilync: each API key and each user has its own budget; a user’s tokens share one', async () => {
    await times(5, () => campaigns(em.apiKey));
    expect((await campaigns(em.apiKey)).status).toBe(429);

    const otherKey = await em.createApiKey(['campaigns:read']);
    expect(header(await campaigns(otherKey), 'x-ratelimit-remaining')).toBe('4');

    const first = await affilyncToken(em);
    const second = await affilyncToken(em);
    expect(statuses(await times(3, () => campaigns(first.access_token)))).toEqual([200, 200, 200]);
    const shared = await times(3, () => campaigns(second.access_token));
    expect(statuses(shared)).toEqual([200, 200, 429]);
    expect(header(shared[0], 'x-ratelimit-remaining')).toBe('1');

    const other = await affilyncToken(em, OTHER);
    expect(header(await campaigns(other.access_token), 'x-ratelimit-remaining')).toBe('4');
    expect(em.counters.affilync.rateLimited).toBe(2);
  });

  it('Affilync: logins, refreshes, 401s and 403s do not count', async () => {
    const pairs = await Promise.all(Array.from({ length: 6 }, () => affilyncToken(em)));
    const refreshed = await times(6, () => call(`${em.affilyncBaseUrl}/auth/refresh`, { method: 'POST', json: { refresh_token: pairs.pop()!.refresh_token } }));
    expect(statuses(refreshed)).toEqual(Array(6).fill(200));

    const unknown = await times(6, () => campaigns('afk_live_not_a_key'));
    expect(statuses(unknown)).toEqual(Array(6).fill(401));
    expect(header(unknown[0], 'x-ratelimit-limit')).toBeNull(); // no credential, no window to report

    const narrow = await em.createApiKey(['links:read']);
    expect(statuses(await times(6, () => campaigns(narrow)))).toEqual(Array(6).fill(403));
    expect(header(await call(`${em.affilyncBaseUrl}/links`, { token: narrow }), 'x-ratelimit-remaining')).toBe('4');
    expect(em.counters.affilync).toMatchObject({ logins: 6, refreshes: 6, rejected: 6, rateLimited: 0 });
  });

  it('Convertly: a 429 with Retry-After in whole seconds and its error body, no X-RateLimit-* headers, per user', async () => {
    const token = await convertlyToken(em);
    const answers = await times(4, () => affiliates(token));
    expect(statuses(answers)).toEqual([200, 200, 200, 429]);
    for (const a of answers) expect(header(a, 'x-ratelimit-limit') ?? header(a, 'x-ratelimit-remaining') ?? header(a, 'x-ratelimit-reset')).toBeNull();
    expect(header(answers[0], 'retry-after')).toBeNull();
    const refused = answers[3];
    expect(refused.body).toEqual({ statusCode: 429, message: 'Too Many Requests', error: 'Too Many Requests' });
    const retryAfter = header(refused, 'retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(Math.ceil(WINDOW_MS / 1000));
    expect(em.counters.convertly).toMatchObject({ calls: 4, rateLimited: 1 });

    // Another login of the same user shares the budget; another user has a budget of its own.
    expect((await affiliates(await convertlyToken(em))).status).toBe(429);
    const other = await convertlyToken(em, OTHER);
    expect(statuses(await times(3, () => affiliates(other)))).toEqual([200, 200, 200]);
  });

  it('counts a 429 a fault answers too, and lets a fault’s own headers win', async () => {
    em.fault({ provider: 'convertly', path: '/affiliates', status: 429, retryAfter: '7' });
    const token = await convertlyToken(em);
    const faulted = await affiliates(token);
    expect([faulted.status, header(faulted, 'retry-after')]).toEqual([429, '7']);
    expect(em.counters.convertly.rateLimited).toBe(1);
    expect((await affiliates(token)).status).toBe(200); // the faulted request was not counted: 3 left

    em.fault({ provider: 'affilync', path: '/campaigns', headers: { 'x-ratelimit-limit': '1000' } });
    const decorated = await campaigns(em.apiKey);
    expect([decorated.status, header(decorated, 'x-ratelimit-limit'), header(decorated, 'x-ratelimit-remaining')]).toEqual([200, '1000', '4']);
  });

  it('reset() gives every credential its budget back and zeroes rateLimited', async () => {
    await times(6, () => campaigns(em.apiKey));
    expect(em.counters.affilync.rateLimited).toBe(1);
    em.reset();
    expect(em.counters.affilync.rateLimited).toBe(0);
    expect(header(await campaigns(em.apiKey), 'x-ratelimit-remaining')).toBe('4');
  });
});

describe('ProviderEmulator rateLimits: documented limits', () => {
  let em: ProviderEmulator;

  beforeAll(async () => {
    em = await ProviderEmulator.start({ users: USERS, rateLimits: 'documented' });
  });
  afterAll(() => em.close());

  it('Affilync: 300 per minute per credential, reported in the headers', async () => {
    const before = Date.now();
    const first = await call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey });
    expect([header(first, 'x-ratelimit-limit'), header(first, 'x-ratelimit-remaining')]).toEqual(['300', '299']);
    const reset = Number(header(first, 'x-ratelimit-reset'));
    expect(reset * 1000).toBeGreaterThanOrEqual(before + 60_000);
    expect(reset * 1000).toBeLessThan(Date.now() + 61_000);
  });

  it('Convertly: 100 per minute on Growth, 500 on Scale', async () => {
    const growth = await convertlyToken(em);
    const growthAnswers = await times(101, () => call(`${em.convertlyBaseUrl}/affiliates?limit=1`, { token: growth }));
    expect(growthAnswers.findIndex((a) => a.status === 429)).toBe(100);
    expect(Number(header(growthAnswers[100], 'retry-after'))).toBeGreaterThan(50);

    const scale = await convertlyToken(em, OTHER);
    const scaleAnswers = await times(501, () => call(`${em.convertlyBaseUrl}/affiliates?limit=1`, { token: scale }));
    expect(scaleAnswers.findIndex((a) => a.status === 429)).toBe(500);
    expect(em.counters.convertly.rateLimited).toBe(2);
  });
});

describe('ProviderEmulator rateLimits: off', () => {
  it('by default: no 429 after 310 Affilync calls, and no budget reported', async () => {
    const em = await ProviderEmulator.start();
    try {
      const answers = await times(310, () => call(`${em.affilyncBaseUrl}/campaigns?per_page=1`, { token: em.apiKey }));
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      // Nothing enforced, nothing reported: a client pacing from the headers is not held back.
      expect(answers.filter((a) => header(a, 'x-ratelimit-limit') !== null || header(a, 'x-ratelimit-remaining') !== null)).toEqual([]);
      expect(em.counters.affilync).toMatchObject({ calls: 310, rateLimited: 0 });
    } finally {
      await em.close();
    }
  });

  it('for a provider the object leaves out', async () => {
    const em = await ProviderEmulator.start({ rateLimits: { convertly: { limit: 1, windowMs: 60_000 } } });
    try {
      const answers = await times(3, () => call(`${em.affilyncBaseUrl}/campaigns`, { token: em.apiKey }));
      expect(statuses(answers)).toEqual([200, 200, 200]);
      expect(header(answers[0], 'x-ratelimit-limit')).toBeNull(); // not limited, so no budget reported
      const token = await convertlyToken(em);
      expect(statuses(await times(2, () => call(`${em.convertlyBaseUrl}/affiliates`, { token })))).toEqual([200, 429]);
    } finally {
      await em.close();
    }
  });
});

describe('ProviderEmulator rateLimits: validation', () => {
  it.each([
    ['documentd', /rateLimits must be 'documented' or/],
    [null, /rateLimits must be/],
    [[], /rateLimits must be .* not an array/],
    [{ affilink: { limit: 1, windowMs: 1 } }, /rateLimits has unknown key\(s\) affilink/],
    [{ affilync: 5 }, /rateLimits\.affilync must be \{ limit, windowMs \}/],
    [{ affilync: { limit: 0, windowMs: 1000 } }, /rateLimits\.affilync\.limit must be a whole number/],
    [{ convertly: { limit: 1.5, windowMs: 1000 } }, /rateLimits\.convertly\.limit/],
    [{ convertly: { limit: 5 } }, /rateLimits\.convertly\.windowMs must be a whole number of milliseconds/],
  ])('refuses %j with a TypeError naming the option', async (rateLimits, message) => {
    // @ts-expect-error -- deliberately wrong shapes
    await expect(ProviderEmulator.start({ rateLimits })).rejects.toThrow(message);
    // @ts-expect-error -- deliberately wrong shapes
    await expect(ProviderEmulator.start({ rateLimits })).rejects.toBeInstanceOf(TypeError);
  });
});
