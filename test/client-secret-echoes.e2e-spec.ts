import { randomInt } from 'node:crypto';
import { InMemoryTokenStore, ProviderApiError, ProviderAuthError, type ProviderAuthModuleOptions } from '../lib/index.js';
import { tokenStoreKey } from '../lib/client/token-manager.js';
import { FakeServer, type FakeAnswer, type FakeRequest } from './support/fake-server.js';
import { secretAudit } from './support/secret-audit.js';
import { shownText } from './support/shown-text.js';
import { startClients, type Clients } from './support/nest-clients.js';

/**
 * A hostile provider quotes back, in its error answers, every secret the client holds, in every
 * form a server might: raw, re-cased, base64 (alone or inside a longer blob, at each byte
 * alignment), percent-encoded. None of it may reach an error or a log line.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from({ length: n }, () => ALNUM[randomInt(ALNUM.length)]).join('');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const upperAlnum = (n: number) => Array.from({ length: n }, () => UPPER[randomInt(UPPER.length)]).join('');

// Secrets chosen so every form differs from the raw one: symbols and non-ASCII change the
// percent-encodings, mixed case changes the re-cased forms; the code-shaped password is a valid
// Affilync error_code as it stands.
const SYMBOL_PASSWORD = `Tr0ub4dor & 3/horse+${alnum(6)}=staple?ü`;
const CODE_PASSWORD = `HORSE_${upperAlnum(14)}`;
const API_KEY = `afk_live_${alnum(32)}`;
const EMAIL = 'ops@example.com';

/** Only the base64 characters fully determined by the bytes of `secret` at offset `pad` (mod 3). */
function determinedBase64(encoded: string, pad: number, secretBytes: number): string {
  return encoded.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + secretBytes)) / 6));
}

interface Echo {
  /** What the hostile server puts in its answer. */
  echo: string;
  /** What must not appear (case-insensitively) anywhere we show. */
  needles: string[];
}

const inBlob =
  (encoding: 'base64' | 'base64url', prefix: string) =>
  (s: string): Echo => {
    const bytes = Buffer.from(s);
    const blob = Buffer.concat([Buffer.from(prefix), bytes, Buffer.from(';scope=all')]).toString(encoding);
    return { echo: blob, needles: [s, determinedBase64(blob, prefix.length % 3, bytes.length)] };
  };

const FORMS: [string, (s: string) => Echo][] = [
  ['raw', (s) => ({ echo: s, needles: [s] })],
  ['upper-cased', (s) => ({ echo: s.toUpperCase(), needles: [s] })],
  ['lower-cased', (s) => ({ echo: s.toLowerCase(), needles: [s] })],
  ['base64', (s) => ({ echo: Buffer.from(s).toString('base64'), needles: [s, Buffer.from(s).toString('base64').replace(/=+$/, '')] })],
  ['base64url', (s) => ({ echo: Buffer.from(s).toString('base64url'), needles: [s, Buffer.from(s).toString('base64url')] })],
  ['inside a base64 blob (offset 0)', inBlob('base64', 'Basic:')],
  ['inside a base64 blob (offset 1)', inBlob('base64', 'Basic: ')],
  ['inside a base64 blob (offset 2)', inBlob('base64', 'Basic:  ')],
  ['inside a base64url blob (offset 1)', inBlob('base64url', 'user=u;pw=')],
  ['percent-encoded', (s) => ({ echo: encodeURIComponent(s), needles: [s, encodeURIComponent(s)] })],
  ['form-encoded', (s) => ({ echo: new URLSearchParams({ v: s }).toString().slice(2), needles: [s, new URLSearchParams({ v: s }).toString().slice(2)] })],
];

/** The secrets of one client as the hostile server knows them at the moment it answers. */
interface Held {
  password: string;
  apiKey: string;
  access: string;
  refresh: string;
}

type SecretKind = [name: string, pick: (h: Held) => string];
const PASSWORD: SecretKind = ['password', (h) => h.password];
const ACCESS: SecretKind = ['access token', (h) => h.access];
const REFRESH: SecretKind = ['refresh token', (h) => h.refresh];
const KEY: SecretKind = ['API key', (h) => h.apiKey];
const KEY_BODY: SecretKind = ['API key without its afk_live_ prefix', (h) => h.apiKey.slice('afk_live_'.length)];

type Provider = 'affilync' | 'convertly';
type Place = 'detail' | 'error_code' | 'message' | 'error';

/** A provider that answers every error with one hostile echo in one place of its documented error body. */
class HostileProvider {
  phase: 'refuse' | 'grant' = 'refuse';
  readonly held: Held;
  /** Every needle of every echo it served. */
  readonly needles: string[] = [];
  readonly requests: string[] = [];

  private constructor(
    readonly server: FakeServer,
    readonly provider: Provider,
    password: string,
    private readonly echoOf: (h: Held) => Echo,
    private readonly place: Place,
  ) {
    this.held = { password, apiKey: API_KEY, access: alnum(40), refresh: alnum(40) };
    secretAudit.registerSecret(this.held.access, this.held.refresh);
  }

  static async start(provider: Provider, password: string, secret: SecretKind, form: (s: string) => Echo, place: Place) {
    // The server answers only once the provider below exists (requests come later).
    const server = await FakeServer.start((req) => self.answer(req));
    const self = new HostileProvider(server, provider, password, (h) => form(secret[1](h)), place);
    return self;
  }

  get baseUrl(): string {
    return `${this.server.origin}${this.provider === 'affilync' ? '/api' : '/v1'}`;
  }

  private answer(req: FakeRequest): FakeAnswer {
    this.requests.push(req.path);
    const auth = req.path.includes('/auth/');
    if (auth && this.phase === 'grant') {
      this.held.access = alnum(40);
      this.held.refresh = alnum(40);
      secretAudit.registerSecret(this.held.access, this.held.refresh);
      return this.provider === 'affilync'
        ? { json: { access_token: this.held.access, refresh_token: this.held.refresh, token_type: 'bearer', expires_in: 3600 } }
        : { status: 201, json: { data: { accessToken: this.held.access } } };
    }
    return this.hostile(auth ? 401 : 404);
  }

  private hostile(status: number): FakeAnswer {
    const { echo, needles } = this.echoOf(this.held);
    this.needles.push(...needles);
    secretAudit.registerSecret(echo, ...needles);
    const text = `Invalid: ${echo} (see the docs)`;
    if (this.provider === 'affilync') {
      const code = status === 401 ? 'TOKEN_INVALID' : 'RESOURCE_NOT_FOUND';
      return { status, json: this.place === 'detail' ? { detail: text, error_code: code, status } : { detail: 'Something failed', error_code: echo, status } };
    }
    const error = status === 401 ? 'Unauthorized' : 'Not Found';
    return {
      status,
      json: this.place === 'message' ? { statusCode: status, message: text, error } : { statusCode: status, message: 'Something failed', error: echo },
    };
  }
}

/** Which needles showed up, described without the needle itself (the report must not leak it). */
function leaks(where: string, text: string, needles: readonly string[]): string[] {
  const haystack = text.toLowerCase();
  return needles.flatMap((n, i) => (n.length > 0 && haystack.includes(n.toLowerCase()) ? [`${where}: needle #${i} (${n.length} chars)`] : []));
}

/** A token in the store whose renewal point has passed, as another replica would have left it. */
async function seededStore(provider: Provider, baseUrl: string, held: Held): Promise<InMemoryTokenStore> {
  const store = new InMemoryTokenStore();
  const now = Date.now();
  await store.compareAndSet(
    tokenStoreKey(provider, baseUrl, EMAIL),
    { accessToken: held.access, refreshToken: provider === 'affilync' ? held.refresh : undefined, expiresAt: now + 3_600_000, refreshAt: now - 1 },
    0,
  );
  return store;
}

const quotes = (place: Place) => place === 'detail' || place === 'message';

describe('secrets a hostile provider quotes back never reach errors or logs', () => {
  let app: Clients | undefined;
  let hostile: HostileProvider | undefined;
  beforeAll(() => secretAudit.registerSecret(SYMBOL_PASSWORD, CODE_PASSWORD, API_KEY, API_KEY.slice('afk_live_'.length)));
  afterEach(async () => {
    await app?.close();
    await hostile?.server.close();
    app = undefined;
    hostile = undefined;
  });

  const table = (places: Place[], kinds: SecretKind[], passwords: string[]) =>
    kinds.flatMap((kind) =>
      // Only the password's own rows vary the password; other secrets are echoed beside the first.
      (kind === PASSWORD ? passwords : passwords.slice(0, 1)).flatMap((password) =>
        FORMS.flatMap(([formName, form]) =>
          places.map(
            (place) =>
              [
                `${kind[0]}${kind === PASSWORD ? ` (${password === CODE_PASSWORD ? 'code-shaped' : 'with symbols'})` : ''}`,
                formName,
                place,
                password,
                kind,
                form,
              ] as const,
          ),
        ),
      ),
    );

  describe.each([
    ['affilync', ['detail', 'error_code']],
    ['convertly', ['message', 'error']],
  ] as [Provider, Place[]][])('%s, email/password mode', (provider, places) => {
    const kinds = provider === 'affilync' ? [PASSWORD, ACCESS, REFRESH] : [PASSWORD, ACCESS];

    it.each(table(places, kinds, [SYMBOL_PASSWORD, CODE_PASSWORD]))(
      '%s, %s, in %s: refresh and login answers quote nothing; a resource answer is scrubbed',
      async (_kind, _form, place, password, kind, form) => {
        hostile = await HostileProvider.start(provider, password, kind, form, place);
        const baseUrl = hostile.baseUrl;
        const options: ProviderAuthModuleOptions = {
          [provider]: { baseUrl, email: EMAIL, password },
          tokenStore: await seededStore(provider, baseUrl, hostile.held),
        };
        app = await startClients(options);
        const client = provider === 'affilync' ? app.affilync : app.convertly;
        const resource = provider === 'affilync' ? '/campaigns' : '/affiliates';
        const name = provider === 'affilync' ? 'Affilync' : 'Convertly';

        // The stored token is due: the refresh is refused with an echo, then the login too.
        const refused = await client.get(resource).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ProviderAuthError);
        expect(hostile.requests.filter((p) => p.endsWith('/auth/refresh'))).toHaveLength(1);
        expect(hostile.requests.filter((p) => p.includes('/login'))).toHaveLength(1);
        const documented = provider === 'affilync' ? 'TOKEN_INVALID' : 'Unauthorized';
        expect((refused as ProviderAuthError).message).toBe(`${name} answered 401 to login${quotes(place) ? ` (${documented})` : ''}`);
        expect((refused as ProviderAuthError).code).toBe(quotes(place) ? documented : undefined);
        expect(app.logger.text()).toMatch(
          new RegExp(`${name}: token refresh failed \\(${name} answered 401 to token refresh( \\(${documented}\\))?\\); logging in again`),
        );

        // Renewed at last, a resource call is answered 404 with the echo.
        hostile.phase = 'grant';
        const missing = await client.get(resource).catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(ProviderApiError);
        expect(missing).toMatchObject({ status: 404, code: quotes(place) ? (provider === 'affilync' ? 'RESOURCE_NOT_FOUND' : 'Not Found') : undefined });
        const message = (missing as ProviderApiError).message;
        expect(message.startsWith(`${name} answered 404 to GET ${resource}`)).toBe(true);
        // Scrubbed, not dropped: the provider's own words around the secret still come through.
        if (quotes(place)) expect(message).toMatch(/: Invalid: .*\[redacted\].* \(see the docs\)$/);

        expect(hostile.needles.length).toBeGreaterThan(0);
        expect([
          ...leaks('login error', shownText(refused), hostile.needles),
          ...leaks('resource error', shownText(missing), hostile.needles),
          ...leaks('log', app.logger.text(), hostile.needles),
        ]).toEqual([]);
      },
    );
  });

  describe('affilync, API-key mode', () => {
    it.each(table(['detail', 'error_code'], [KEY, KEY_BODY], [SYMBOL_PASSWORD]))(
      '%s, %s, in %s: a resource answer is scrubbed',
      async (_kind, _form, place, _password, kind, form) => {
        hostile = await HostileProvider.start('affilync', '', kind, form, place);
        app = await startClients({ affilync: { baseUrl: hostile.baseUrl, apiKey: API_KEY } });
        const missing = await app.affilync.get('/campaigns').catch((e: unknown) => e);
        expect(missing).toBeInstanceOf(ProviderApiError);
        expect(missing).toMatchObject({ status: 404, code: place === 'detail' ? 'RESOURCE_NOT_FOUND' : undefined });
        if (place === 'detail')
          expect((missing as Error).message).toMatch(
            /^Affilync answered 404 to GET \/campaigns \(RESOURCE_NOT_FOUND\): Invalid: .*\[redacted\].* \(see the docs\)$/,
          );
        expect(leaks('resource error', shownText(missing), hostile.needles)).toEqual([]);
        expect(leaks('log', app.logger.text(), hostile.needles)).toEqual([]);
      },
    );
  });
});

describe('what a provider says still comes through when it holds no secret', () => {
  let server: FakeServer;
  let app: Clients | undefined;
  let answer: (req: FakeRequest) => FakeAnswer;
  beforeAll(() => secretAudit.registerSecret(API_KEY, SYMBOL_PASSWORD));
  beforeEach(async () => {
    server = await FakeServer.start((req) => answer(req));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await server.close();
  });

  it('a 404 keeps its documented code and its detail', async () => {
    answer = () => ({ status: 404, json: { detail: 'Campaign not found', error_code: 'RESOURCE_NOT_FOUND', status: 404 } });
    app = await startClients({ affilync: { baseUrl: `${server.origin}/api`, apiKey: API_KEY } });
    await expect(app.affilync.get('/campaigns/cmp_404')).rejects.toMatchObject({
      status: 404,
      code: 'RESOURCE_NOT_FOUND',
      message: 'Affilync answered 404 to GET /campaigns/cmp_404 (RESOURCE_NOT_FOUND): Campaign not found',
    });
  });

  it('a code-shaped but undocumented code on a resource call is kept; a code of another shape is dropped', async () => {
    answer = (req) =>
      req.path.endsWith('/shaped')
        ? { status: 500, json: { detail: 'Try later', error_code: 'UPSTREAM_BUSY', status: 500 } }
        : { status: 409, json: { detail: 'Exists', error_code: 'dup resource <b>', status: 409 } };
    app = await startClients({ affilync: { baseUrl: `${server.origin}/api`, apiKey: API_KEY }, http: { maxRetries: 0 } });
    await expect(app.affilync.get('/shaped')).rejects.toMatchObject({
      code: 'UPSTREAM_BUSY',
      message: 'Affilync answered 500 to GET /shaped (UPSTREAM_BUSY): Try later',
    });
    const err = (await app.affilync.post('/odd', {}).catch((e: unknown) => e)) as ProviderApiError;
    expect(err.code).toBeUndefined();
    expect(err.message).toBe('Affilync answered 409 to POST /odd: Exists');
  });

  it('Convertly: the reason phrase is the code, the message comes through; an error that is no reason phrase is dropped', async () => {
    answer = (req) =>
      req.path.endsWith('/x')
        ? { status: 404, json: { statusCode: 404, message: 'Affiliate not found', error: 'Not Found' } }
        : { status: 400, json: { statusCode: 400, message: ['limit must be a number', 'cursor is invalid'], error: 'BAD_INPUT' } };
    app = await startClients({
      convertly: { baseUrl: `${server.origin}/v1`, email: EMAIL, password: SYMBOL_PASSWORD },
      tokenStore: await seededConvertly(`${server.origin}/v1`),
    });
    await expect(app.convertly.get('/affiliates/x')).rejects.toMatchObject({
      code: 'Not Found',
      message: 'Convertly answered 404 to GET /affiliates/x (Not Found): Affiliate not found',
    });
    await expect(app.convertly.get('/affiliates/y')).rejects.toMatchObject({
      code: undefined,
      message: 'Convertly answered 400 to GET /affiliates/y: limit must be a number; cursor is invalid',
    });
  });

  it('a login refusal says its status and documented code only, never the provider’s words', async () => {
    answer = () => ({ status: 401, json: { detail: 'Invalid email or password for ops@example.com', error_code: 'TOKEN_INVALID', status: 401 } });
    app = await startClients({ affilync: { baseUrl: `${server.origin}/api`, email: EMAIL, password: SYMBOL_PASSWORD } });
    await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({
      constructor: ProviderAuthError,
      status: 401,
      code: 'TOKEN_INVALID',
      message: 'Affilync answered 401 to login (TOKEN_INVALID)',
    });
    // An undocumented code at login is dropped, however code-shaped.
    answer = () => ({ status: 401, json: { detail: 'No', error_code: 'BAD_CREDENTIALS', status: 401 } });
    await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({ code: undefined, message: 'Affilync answered 401 to login' });
  });

  it('with a password under 8 characters, no provider text is quoted at all: status and a documented code only', async () => {
    const short = 'pw5x!Qz';
    secretAudit.registerSecret(short);
    const echoes = [short, short.toUpperCase(), Buffer.from(short).toString('base64'), encodeURIComponent(short), 'Campaign not found'];
    let n = 0;
    answer = (req) => {
      if (req.path.endsWith('/auth/login')) return { json: { access_token: alnum(40), refresh_token: alnum(40), token_type: 'bearer', expires_in: 3600 } };
      const said = echoes[n++ % echoes.length];
      return { status: 404, json: { detail: `Invalid: ${said}`, error_code: n % 2 ? 'RESOURCE_NOT_FOUND' : 'UNDOCUMENTED_CODE', status: 404 } };
    };
    app = await startClients({ affilync: { baseUrl: `${server.origin}/api`, email: EMAIL, password: short } });
    for (let i = 0; i < echoes.length * 2; i++) {
      const err = (await app.affilync.get('/campaigns').catch((e: unknown) => e)) as ProviderApiError;
      const code = i % 2 === 0 ? 'RESOURCE_NOT_FOUND' : undefined;
      expect(err).toMatchObject({ status: 404, code });
      expect(err.message).toBe(`Affilync answered 404 to GET /campaigns${code ? ` (${code})` : ''}`);
    }
  });
});

async function seededConvertly(baseUrl: string): Promise<InMemoryTokenStore> {
  const store = new InMemoryTokenStore();
  const now = Date.now();
  const token = alnum(40);
  secretAudit.registerSecret(token);
  await store.compareAndSet(tokenStoreKey('convertly', baseUrl, EMAIL), { accessToken: token, expiresAt: now + 3_600_000, refreshAt: now + 3_000_000 }, 0);
  return store;
}

// Keep the random helper honest: the code-shaped password really is a valid Affilync code.
if (!/^[A-Z][A-Z0-9_]{1,63}$/.test(CODE_PASSWORD)) throw new Error('CODE_PASSWORD is not code-shaped');

describe('a token the failing call was sent with is scrubbed even after the client moved on from it', () => {
  let server: FakeServer;
  let app: Clients | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await server.close();
  });

  /** Issues opaque tokens; remembers them in order. */
  const issuer = () => {
    const tokens: string[] = [];
    const grant = (): FakeAnswer => {
      const pair = { access_token: alnum(40), refresh_token: alnum(40), token_type: 'bearer', expires_in: 3600 };
      tokens.push(pair.access_token);
      secretAudit.registerSecret(pair.access_token, pair.refresh_token);
      return { json: pair };
    };
    return { tokens, grant };
  };
  const bearer = (req: FakeRequest) => String(req.headers.authorization).slice('Bearer '.length);

  it('the first token of a call renewed after a 401, echoed by the answer to its replay', async () => {
    const { tokens, grant } = issuer();
    server = await FakeServer.start((req) => {
      if (req.path.includes('/auth/')) return grant();
      if (bearer(req) === tokens[0]) return { status: 401, json: { detail: 'Token revoked', error_code: 'TOKEN_INVALID', status: 401 } };
      return { status: 404, json: { detail: `No campaign for ${tokens[0].toUpperCase()} or ${bearer(req)}`, error_code: 'RESOURCE_NOT_FOUND', status: 404 } };
    });
    app = await startClients({ affilync: { baseUrl: `${server.origin}/api`, email: EMAIL, password: SYMBOL_PASSWORD } });
    const err = await app.affilync.get('/campaigns').catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 404,
      message: 'Affilync answered 404 to GET /campaigns (RESOURCE_NOT_FOUND): No campaign for [redacted] or [redacted]',
    });
    expect(tokens).toHaveLength(2);
    expect(leaks('error', shownText(err), tokens)).toEqual([]);
  });

  it('a token another caller renewed away while this call was in flight', async () => {
    const { tokens, grant } = issuer();
    let releaseSlow!: () => void;
    const slowMayAnswer = new Promise<void>((resolve) => (releaseSlow = resolve));
    let revoked = false;
    server = await FakeServer.start(async (req) => {
      if (req.path.includes('/auth/')) return grant();
      const used = bearer(req);
      if (req.path.endsWith('/slow')) {
        await slowMayAnswer;
        return { status: 404, json: { detail: `Nothing for ${used.toLowerCase()}`, error_code: 'RESOURCE_NOT_FOUND', status: 404 } };
      }
      // Once revoked, the first token is refused, so the fast call renews to a second token.
      if (revoked && used === tokens[0]) return { status: 401, json: { detail: 'Token revoked', error_code: 'TOKEN_INVALID', status: 401 } };
      return { json: { ok: true } };
    });
    app = await startClients({ affilync: { baseUrl: `${server.origin}/api`, email: EMAIL, password: SYMBOL_PASSWORD } });
    await expect(app.affilync.get('/warm-up')).resolves.toEqual({ ok: true });
    const slow = app.affilync.get('/slow').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    revoked = true;
    await expect(app.affilync.get('/fast')).resolves.toEqual({ ok: true });
    expect(tokens).toHaveLength(2);
    releaseSlow();
    const err = await slow;
    expect(err).toMatchObject({ status: 404, message: 'Affilync answered 404 to GET /slow (RESOURCE_NOT_FOUND): Nothing for [redacted]' });
    expect(leaks('error', shownText(err), tokens)).toEqual([]);
  });
});
