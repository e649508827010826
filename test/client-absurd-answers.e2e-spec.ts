import { InMemoryTokenStore, ProviderApiError, ProviderInvalidResponseError, ProviderNetworkError } from '../lib/index.js';
import { tokenStoreKey } from '../lib/client/token-manager.js';
import { FakeServer, type FakeAnswer, type FakeRequest } from './support/fake-server.js';
import { secretAudit } from './support/secret-audit.js';
import { startClients, type Clients } from './support/nest-clients.js';

const KEY = 'afk_live_absurdanswers0123456789';
const EMAIL = 'ops@example.com';
const PASSWORD = 'absurd-answers-password-42';

const jwt = (claims: object) =>
  ['{"alg":"HS256","typ":"JWT"}', JSON.stringify(claims)].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.c2lnbmF0dXJlc2ln';

let issued = 0;
const good = () => `tok${++issued}x${Date.now()}`;
const pair = (over: Record<string, unknown> = {}) => ({ access_token: good(), refresh_token: good(), token_type: 'bearer', expires_in: 3600, ...over });

/** A provider whose auth answers the test scripts; resource calls answer 200 to any token. */
class Scripted {
  readonly auth: FakeRequest[] = [];
  readonly calls: FakeRequest[] = [];
  authAnswer: (req: FakeRequest, n: number) => FakeAnswer = () => ({ json: pair() });
  private constructor(readonly server: FakeServer) {}
  static async start() {
    const self: Scripted = new Scripted(await FakeServer.start((req) => self.answer(req)));
    return self;
  }
  private answer(req: FakeRequest): FakeAnswer {
    if (req.path.includes('/auth/')) {
      this.auth.push(req);
      return this.authAnswer(req, this.auth.length);
    }
    this.calls.push(req);
    return { json: { data: [] } };
  }
}

describe('absurd answers from a provider', () => {
  let fake: Scripted;
  let app: Clients | undefined;
  let store: InMemoryTokenStore;
  beforeAll(() => secretAudit.registerSecret(KEY, PASSWORD));
  beforeEach(async () => {
    fake = await Scripted.start();
    store = new InMemoryTokenStore();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await fake.server.close();
  });

  const affilync = () => startClients({ affilync: { baseUrl: `${fake.server.origin}/api`, email: EMAIL, password: PASSWORD }, tokenStore: store });
  const convertly = () => startClients({ convertly: { baseUrl: `${fake.server.origin}/v1`, email: EMAIL, password: PASSWORD }, tokenStore: store });
  const stored = (provider: 'affilync' | 'convertly') =>
    store.get(tokenStoreKey(provider, `${fake.server.origin}${provider === 'affilync' ? '/api' : '/v1'}`, EMAIL));

  describe('a lifetime under one second is an invalid answer', () => {
    it.each([0.5, 0.999, 0.001, 1e-9])('Affilync expires_in %p', async (expiresIn) => {
      fake.authAnswer = (_req, n) => ({ json: pair(n === 1 ? { expires_in: expiresIn } : {}) });
      app = await affilync();
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ constructor: ProviderInvalidResponseError, status: 200, retryable: false });
      expect(fake.calls).toHaveLength(0);
      expect(await stored('affilync')).toBeUndefined();
      // The next call logs in afresh, and then five calls cost no renewal at all.
      for (let i = 0; i < 5; i++) await app.affilync.get('/campaigns');
      expect(fake.auth.map((r) => r.path)).toEqual(['/api/auth/login', '/api/auth/login']);
    });

    it('Affilync expires_in of exactly 1 second is accepted', async () => {
      fake.authAnswer = () => ({ json: pair({ expires_in: 1 }) });
      app = await affilync();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [] });
    });

    it.each([
      ['exp − iat of half a second', () => ({ iat: 1_000, exp: 1_000.5 })],
      ['exp − iat of zero', () => ({ iat: 1_000, exp: 1_000 })],
      ['exp (no iat) half a second after the request was sent', () => ({ exp: Date.now() / 1000 + 0.5 })],
      ['exp (no iat) already past', () => ({ exp: Date.now() / 1000 - 10 })],
    ])('Convertly: %s', async (_, claims) => {
      fake.authAnswer = (_req, n) => {
        const token = n === 1 ? jwt({ sub: 'u', ...claims() }) : jwt({ sub: 'u', iat: 1_000, exp: 1_000 + 86_400 });
        secretAudit.registerSecret(token);
        return { status: 201, json: { data: { accessToken: token } } };
      };
      app = await convertly();
      await expect(app.convertly.get('/affiliates')).rejects.toMatchObject({ constructor: ProviderInvalidResponseError, status: 201, retryable: false });
      expect(await stored('convertly')).toBeUndefined();
      for (let i = 0; i < 5; i++) await app.convertly.get('/affiliates');
      expect(fake.auth.map((r) => r.path)).toEqual(['/v1/auth/brand/login', '/v1/auth/brand/login']);
    });
  });

  describe('a token that cannot go in a header is an invalid answer, and nothing is stored', () => {
    const BAD: [string, string][] = [
      ['CR LF', 'tokA\r\nX-Injected: 1'],
      ['LF', 'tokA\nmore'],
      ['NUL', 'tokA\u0000more'],
      ['a space', 'tokA more'],
      ['a tab', 'tokA\tmore'],
      ['DEL', 'tokA\u007fmore'],
      ['a Latin-1 letter', 'tokAémore'],
      ['an emoji', 'tokA😀more'],
    ];

    it.each(BAD)('Affilync access_token with %s', async (_, token) => {
      fake.authAnswer = (_req, n) => ({ json: n === 1 ? pair({ access_token: token }) : pair() });
      app = await affilync();
      const err = await app.affilync.get('/campaigns').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderInvalidResponseError);
      expect(err).toMatchObject({ status: 200, retryable: false });
      expect((err as Error).message).toMatch(/access_token/);
      expect(await stored('affilync')).toBeUndefined();
      expect(fake.calls).toHaveLength(0);
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [] });
    });

    it.each(BAD)('Affilync refresh_token with %s', async (_, token) => {
      fake.authAnswer = (_req, n) => ({ json: n === 1 ? pair({ refresh_token: token }) : pair() });
      app = await affilync();
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({
        constructor: ProviderInvalidResponseError,
        message: expect.stringMatching(/refresh_token/),
      });
      expect(await stored('affilync')).toBeUndefined();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [] });
    });

    it.each(BAD)('Convertly accessToken with %s', async (_, token) => {
      fake.authAnswer = (_req, n) => ({ status: 201, json: { data: { accessToken: n === 1 ? token : good() } } });
      app = await convertly();
      await expect(app.convertly.get('/affiliates')).rejects.toMatchObject({ constructor: ProviderInvalidResponseError, status: 201 });
      expect(await stored('convertly')).toBeUndefined();
      await expect(app.convertly.get('/affiliates')).resolves.toEqual({ data: [] });
    });

    it('a refresh answer with such a token: the old token stays stored, and the client logs in', async () => {
      const now = Date.now();
      await store.compareAndSet(
        tokenStoreKey('affilync', `${fake.server.origin}/api`, EMAIL),
        { accessToken: 'tok-old-access', refreshToken: 'tok-old-refresh', expiresAt: now + 3_600_000, refreshAt: now - 1 },
        0,
      );
      fake.authAnswer = (req) => ({ json: req.path.endsWith('/refresh') ? pair({ access_token: 'tokA\r\nX-Injected: 1' }) : pair() });
      app = await affilync();
      await expect(app.affilync.get('/campaigns')).resolves.toEqual({ data: [] });
      expect(fake.auth.map((r) => r.path)).toEqual(['/api/auth/refresh', '/api/auth/login']);
      expect(fake.calls.every((c) => !/[\r\n]/.test(String(c.headers.authorization)))).toBe(true);
      expect(app.logger.text()).toMatch(
        /token refresh failed \(Affilync: Refresh answer has access_token holding characters that cannot be sent in a header\)/,
      );
    });
  });

  describe('a caller’s own header that cannot be sent is a TypeError before anything is sent', () => {
    const SECRETISH = 'caller-value-marker';
    it.each([
      ['a value with CR LF', { 'x-trace': `${SECRETISH}\r\nX-Injected: 1` }, /'x-trace'/],
      ['a value with LF', { 'x-trace': `${SECRETISH}\nmore` }, /'x-trace'/],
      ['a value with NUL', { 'x-trace': `${SECRETISH}\u0000` }, /'x-trace'/],
      ['a value above U+00FF', { 'x-trace': `${SECRETISH}€` }, /'x-trace'/],
      ['a number value', { 'x-count': 5 as unknown as string }, /'x-count'.*string/],
      ['an undefined value', { 'x-maybe': undefined as unknown as string }, /'x-maybe'.*string/],
      ['an object value', { 'x-obj': { toString: () => SECRETISH } as unknown as string }, /'x-obj'.*string/],
      ['a name with a space', { 'x trace': SECRETISH }, /header name/],
      ['a name with a colon', { 'x-trace:': SECRETISH }, /header name/],
      ['a name with CR LF', { 'x-trace\r\nx-injected': SECRETISH }, /header name/],
      ['an empty name', { '': SECRETISH }, /header name/],
      ['a non-ASCII name', { 'x-trácé': SECRETISH }, /header name/],
    ])('%s', async (_, headers, message) => {
      app = await startClients({ affilync: { baseUrl: `${fake.server.origin}/api`, email: EMAIL, password: PASSWORD } });
      const err = await app.affilync.get('/campaigns', { headers }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect(err).not.toBeInstanceOf(ProviderApiError);
      expect(err).not.toBeInstanceOf(ProviderNetworkError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain(SECRETISH);
      // Nothing sent: no login, no call.
      expect(fake.auth).toHaveLength(0);
      expect(fake.calls).toHaveLength(0);
    });

    it('a valid header still goes out (tab and Latin-1 are allowed in a value)', async () => {
      app = await startClients({ affilync: { baseUrl: `${fake.server.origin}/api`, apiKey: KEY } });
      await app.affilync.get('/campaigns', { headers: { 'X-Trace_ID.1~': 'a\tb', 'x-name': 'café' } });
      expect(fake.calls[0].headers['x-trace_id.1~']).toBe('a\tb');
    });
  });
});
