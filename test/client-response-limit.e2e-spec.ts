import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Test } from '@nestjs/testing';
import {
  PROVIDER_AUTH_OPTIONS,
  InMemoryTokenStore,
  ProviderAuthConfigError,
  ProviderAuthModule,
  ProviderInvalidResponseError,
  type ProviderAuthModuleOptions,
  type ResolvedProviderAuthOptions,
} from '../lib/index.js';
import { tokenStoreKey } from '../lib/client/token-manager.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { secretAudit } from './support/secret-audit.js';
import { startClients, type Clients } from './support/nest-clients.js';

const KEY = 'afk_live_responselimit0123456789';
const EMAIL = 'ops@example.com';
const PASSWORD = 'response-limit-password-42';
const MiB = 1024 * 1024;
const DEFAULT_LIMIT = 16 * MiB;
const BODY_MARKER = 'BODY-MARKER-never-quoted';

type Handler = (req: IncomingMessage, res: ServerResponse, server: HostileServer) => void | Promise<void>;

/** A loopback server that writes what the test tells it to, and records how much it sent and when the socket closed. */
class HostileServer {
  bytesSent = 0;
  socketClosedAt: number | undefined;
  requests = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    private handler: Handler,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        this.socketClosedAt ??= Date.now();
      });
    });
    server.on('request', (req, res) => {
      this.requests++;
      void this.handler(req, res, this);
    });
  }

  static async start(handler: Handler): Promise<HostileServer> {
    const s = new HostileServer(createServer(), handler);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Writes `total` bytes (lazily, one reused chunk, waiting for drain), or until the socket closes. */
  async stream(res: ServerResponse, total: number): Promise<void> {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    while (this.bytesSent < total && !res.destroyed && !res.socket?.destroyed) {
      const size = Math.min(chunk.length, total - this.bytesSent);
      this.bytesSent += size;
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
    }
    if (!res.destroyed) res.end();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Peak memory growth over the baseline while `run` is in progress, sampled every few ms. */
async function peakGrowth<T>(run: () => Promise<T>): Promise<{ result: T; rss: number; heapAndBuffers: number }> {
  const read = () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapAndBuffers: m.heapUsed + m.arrayBuffers };
  };
  const base = read();
  const peak = { ...base };
  const timer = setInterval(() => {
    const now = read();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.heapAndBuffers = Math.max(peak.heapAndBuffers, now.heapAndBuffers);
  }, 3);
  try {
    const result = await run();
    return { result, rss: peak.rss - base.rss, heapAndBuffers: peak.heapAndBuffers - base.heapAndBuffers };
  } finally {
    clearInterval(timer);
    const now = read();
    peak.rss = Math.max(peak.rss, now.rss);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('http.maxResponseBytes: an answer larger than the limit is never buffered', () => {
  let server: HostileServer;
  let app: Clients | undefined;
  beforeAll(() => secretAudit.registerSecret(KEY, PASSWORD));
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await server.close();
  });

  const start = (extra: Partial<ProviderAuthModuleOptions> = {}) =>
    startClients({ affilync: { baseUrl: `${server.origin}/api`, apiKey: KEY }, http: { timeoutMs: 20_000, ...extra.http }, ...extra });

  it('a 400 MB content-length: refused at response start, in far less memory than buffering takes, the socket closed', async () => {
    server = await HostileServer.start((_req, res, s) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(400 * MiB) });
      void s.stream(res, 400 * MiB);
    });
    app = await start();
    const started = Date.now();
    const { result: err, rss, heapAndBuffers } = await peakGrowth(() => app!.affilync.get('/campaigns').catch((e: unknown) => e));
    expect(err).toBeInstanceOf(ProviderInvalidResponseError);
    expect(err).toMatchObject({ status: 200, retryable: false, message: expect.stringContaining(`${DEFAULT_LIMIT} bytes`) });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(heapAndBuffers).toBeLessThan(64 * MiB);
    expect(rss).toBeLessThan(64 * MiB);
    await sleep(100);
    expect(server.socketClosedAt).toBeDefined();
    // Refused before reading: the server got no further than what the socket buffers took.
    expect(server.bytesSent).toBeLessThan(DEFAULT_LIMIT);
  });

  it('an endless chunked body: aborted at the limit, in far less memory than buffering takes, the socket closed', async () => {
    server = await HostileServer.start((_req, res, s) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // "Endless": a safety stop far beyond the limit, so a client that buffers it all still ends.
      void s.stream(res, 600 * MiB);
    });
    app = await start();
    const started = Date.now();
    const { result: err, rss, heapAndBuffers } = await peakGrowth(() => app!.affilync.get('/campaigns').catch((e: unknown) => e));
    expect(err).toBeInstanceOf(ProviderInvalidResponseError);
    expect(err).toMatchObject({ status: 200, retryable: false, message: expect.stringContaining('http.maxResponseBytes') });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(heapAndBuffers).toBeLessThan(64 * MiB);
    expect(rss).toBeLessThan(64 * MiB);
    await sleep(100);
    expect(server.socketClosedAt).toBeDefined();
    // Not much more than the limit left the server: what the socket buffers held when we hung up.
    expect(server.bytesSent).toBeGreaterThan(DEFAULT_LIMIT);
    expect(server.bytesSent).toBeLessThan(DEFAULT_LIMIT + 16 * MiB);
  });

  it('a content-length over the limit is refused without waiting for the body (headers sent, then nothing)', async () => {
    server = await HostileServer.start((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': String(DEFAULT_LIMIT + 1) });
      res.flushHeaders();
    });
    app = await start({ http: { timeoutMs: 5_000 } });
    const started = Date.now();
    const err = await app.affilync.get('/campaigns').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderInvalidResponseError);
    expect(err).toMatchObject({ status: 500, retryable: false });
    expect(Date.now() - started).toBeLessThan(1_000);
    await sleep(100);
    expect(server.socketClosedAt).toBeDefined();
    // Not retried: the answer was not a 5xx we could use.
    expect(server.requests).toBe(1);
  });

  describe('at the edge of a small limit (1024 bytes)', () => {
    const body = (size: number) => {
      const text = JSON.stringify({ marker: BODY_MARKER, pad: '' });
      return JSON.stringify({ marker: BODY_MARKER, pad: 'x'.repeat(size - text.length) });
    };

    it.each([
      ['with content-length', false],
      ['chunked', true],
    ])('%s: 1024 bytes resolve, 1025 bytes are refused, the body never quoted', async (_, chunked) => {
      server = await HostileServer.start((req, res) => {
        const text = body(req.url!.endsWith('/big') ? 1025 : 1024);
        res.writeHead(
          200,
          chunked ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) },
        );
        if (chunked) {
          res.write(text.slice(0, 500));
          res.write(text.slice(500));
          res.end();
        } else res.end(text);
      });
      app = await start({ http: { maxResponseBytes: 1024 } });
      await expect(app.affilync.get('/fits')).resolves.toMatchObject({ marker: BODY_MARKER });
      const err = (await app.affilync.get('/big').catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ProviderInvalidResponseError);
      expect(err.message).toMatch(/more than 1024 bytes \(http\.maxResponseBytes\)/);
      expect(JSON.stringify(err) + err.message + String(err.stack)).not.toContain(BODY_MARKER);
    });

    it('a login answer over the limit is refused the same way; nothing is stored', async () => {
      server = await HostileServer.start((_req, res) => {
        const text = JSON.stringify({
          access_token: 'acc-token-0001',
          refresh_token: 'ref-token-0001',
          token_type: 'bearer',
          expires_in: 3600,
          pad: 'x'.repeat(2_000),
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        res.end(text);
      });
      const store = new InMemoryTokenStore();
      app = await startClients({
        affilync: { baseUrl: `${server.origin}/api`, email: EMAIL, password: PASSWORD },
        http: { maxResponseBytes: 1024 },
        tokenStore: store,
      });
      await expect(app.affilync.get('/campaigns')).rejects.toMatchObject({
        constructor: ProviderInvalidResponseError,
        status: 200,
        message: expect.stringMatching(/to POST \/api\/auth\/login|POST \/api\/auth\/login/),
      });
      expect(await store.get(tokenStoreKey('affilync', `${server.origin}/api`, EMAIL))).toBeUndefined();
      expect(server.requests).toBe(1);
    });

    it('a HEAD answer announcing a large content-length has no body, so it is not refused', async () => {
      server = await HostileServer.start((_req, res) => {
        res.writeHead(200, { 'content-length': String(400 * MiB) });
        res.end();
      });
      app = await start({ http: { maxResponseBytes: 1024 } });
      await expect(app.affilync.request({ method: 'HEAD', path: '/campaigns' })).resolves.toMatchObject({ status: 200, data: undefined });
    });
  });
});

describe('http.maxResponseBytes option', () => {
  const bootstrap = async (http: Record<string, unknown>) => {
    try {
      const mod = await Test.createTestingModule({
        imports: [ProviderAuthModule.forRoot({ affilync: { apiKey: KEY }, http } as ProviderAuthModuleOptions)],
      })
        .setLogger(new CapturingLogger())
        .compile();
      const resolved = mod.get<ResolvedProviderAuthOptions>(PROVIDER_AUTH_OPTIONS);
      await mod.close();
      return resolved;
    } catch (e) {
      return e;
    }
  };

  it('defaults to 16 MiB', async () => {
    await expect(bootstrap({})).resolves.toMatchObject({ http: { maxResponseBytes: 16_777_216 } });
  });

  it.each([1_024, 65_536, 1_073_741_824])('accepts %p', async (value) => {
    await expect(bootstrap({ maxResponseBytes: value })).resolves.toMatchObject({ http: { maxResponseBytes: value } });
  });

  it.each([0, 1_023, -1, 1_073_741_825, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '16MB', '1024', null, true])(
    'refuses %p at bootstrap, naming http.maxResponseBytes',
    async (value) => {
      const err = await bootstrap({ maxResponseBytes: value });
      expect(err).toBeInstanceOf(ProviderAuthConfigError);
      expect((err as ProviderAuthConfigError).issues.map((i) => i.path)).toEqual(['http.maxResponseBytes']);
      expect((err as Error).message).toMatch(/http\.maxResponseBytes: must be an integer from 1024 to 1073741824/);
    },
  );
});
