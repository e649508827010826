import { InvalidRequestPathError } from '../lib/index.js';
import { FakeServer } from './support/fake-server.js';
import { secretAudit } from './support/secret-audit.js';
import { startClients, type Clients } from './support/nest-clients.js';

const KEY = 'afk_live_pathencoding0123456789';

/**
 * A path that percent-decodes to a dot segment or holds an encoded slash would be normalised by
 * a server or proxy to somewhere outside the base URL, with our token on it: refused before
 * anything is sent, like the literal `..`.
 */
describe('call paths with encoded dot segments or separators', () => {
  let server: FakeServer;
  let app: Clients;
  beforeAll(async () => {
    secretAudit.registerSecret(KEY);
    server = await FakeServer.start(() => ({ json: { ok: true } }));
    app = await startClients({ affilync: { baseUrl: `${server.origin}/api`, apiKey: KEY } });
  });
  afterAll(async () => {
    await app.close();
    await server.close();
  });

  it.each([
    '/%2e%2e/admin',
    '/%2E%2E/admin',
    '/.%2e/admin',
    '/%2e./admin',
    '/%2E./admin',
    '/campaigns/%2e%2e/%2e%2e/admin',
    '/campaigns/%2e',
    '/campaigns/%2e/x',
    '/campaigns/%2e%2e',
    '/campaigns/%2e%2e?x=1',
    '/%252e%252e/admin',
    '/%25252e%25252E/admin',
    '/.%252e/admin',
    '/campaigns%2f..%2fadmin',
    '/campaigns%2F..%2Fadmin',
    '/campaigns%5c..%5cadmin',
    '/campaigns%5C..%5Cadmin',
    '/campaigns/x%2fy',
    '/campaigns/x%252fy',
    '/campaigns/x%25252Fy',
    '/campaigns/x%255cy',
  ])('refuses %s and sends nothing', async (path) => {
    const before = server.requests.length;
    const err = await app.affilync.get(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestPathError);
    expect((err as Error).message).toMatch(/plain relative path/);
    expect(server.requests.length).toBe(before);
  });

  it.each([
    ['/campaigns/%2e%2e-report', '/api/campaigns/%2e%2e-report'],
    ['/campaigns/a.b', '/api/campaigns/a.b'],
    ['/campaigns/...', '/api/campaigns/...'],
    ['/campaigns/%2e%2e%2e', '/api/campaigns/%2e%2e%2e'],
    ['/campaigns/caf%C3%A9', '/api/campaigns/caf%C3%A9'],
    ['/campaigns?next=%2e%2e%2fadmin', '/api/campaigns?next=..%2Fadmin'],
    ['/campaigns?p=%5c', '/api/campaigns?p=%5C'],
  ])('sends %s: no dot segment or separator hides in it (the query is not a path)', async (path, sent) => {
    await expect(app.affilync.get(path)).resolves.toEqual({ ok: true });
    expect(server.requests.at(-1)!.url).toBe(sent);
  });

  it('refuses an encoded dot segment in the query option’s path too, but not in query values', async () => {
    const before = server.requests.length;
    await expect(app.affilync.get('/%2e%2e/admin', { query: { a: 1 } })).rejects.toBeInstanceOf(InvalidRequestPathError);
    expect(server.requests.length).toBe(before);
    await expect(app.affilync.get('/campaigns', { query: { next: '../%2e%2e/admin' } })).resolves.toEqual({ ok: true });
  });
});
