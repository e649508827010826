/**
 * OpenTelemetry, read back as an operator's SDK would export it: a real Nest app with the module,
 * the provider emulator (and a rate-limited provider of our own), the SDK's in-memory span
 * exporter and an in-memory metric exporter, registered as the global providers before the app
 * starts (as an app's tracing setup does).
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import request from 'supertest';
import {
  AffilyncClient,
  ApiKeyService,
  ConvertlyClient,
  ProviderAuthModule,
  Roles,
  Scopes,
  TokenService,
  TokenStore,
  type CampaignId,
} from '../../lib/index.js';
import { tokenStoreKey } from '../../lib/client/token-manager.js';
import { ProviderEmulator } from '../../lib/testing/index.js';
import { accessClaims, forge, nowSec } from '../incoming/support/token-forge.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { RateLimitedProvider } from '../support/rate-limited-provider.js';
import { secretAudit } from '../support/secret-audit.js';

const JWT_SECRET = 'telemetry-suite-hs256-secret-0123456789abcdef';
const PACED_KEY = 'afk_live_telemetrypaced0123456789';
/** Every secret the tests hand out or obtain: none may appear in any span or metric. */
const secrets = new Set<string>([JWT_SECRET, PACED_KEY]);
const keep = (...values: (string | undefined)[]) => {
  for (const v of values) if (v) secrets.add(v);
  secretAudit.registerSecret(...values);
};
/** A query value no attribute may carry. */
const QUERY_MARKER = 'needle-in-the-query-4242';

const spanExporter = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

/** The latest cumulative metrics. */
async function collect(): Promise<ResourceMetrics> {
  await reader.forceFlush();
  const all = metricExporter.getMetrics();
  return all[all.length - 1];
}

function points(rm: ResourceMetrics, name: string, attrs: Record<string, string>) {
  return rm.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints.map((p) => ({ type: m.dataPointType, attributes: p.attributes, value: p.value })))
    .filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));
}

/** A counter's total over the points that have `attrs` (0 if none yet). */
async function count(name: string, attrs: Record<string, string> = {}): Promise<number> {
  return points(await collect(), name, attrs).reduce((n, p) => n + (p.value as number), 0);
}

/** A histogram's count and sum over the points that have `attrs`. */
async function histogram(name: string, attrs: Record<string, string>): Promise<{ count: number; sum: number }> {
  const found = points(await collect(), name, attrs).filter((p) => p.type === DataPointType.HISTOGRAM);
  return found.reduce(
    (t, p) => {
      const v = p.value as { count: number; sum?: number };
      return { count: t.count + v.count, sum: t.sum + (v.sum ?? 0) };
    },
    { count: 0, sum: 0 },
  );
}

/** Spans finished since `mark` (an index into the exporter's list). */
const spansSince = (mark: number): ReadableSpan[] => spanExporter.getFinishedSpans().slice(mark);
const mark = () => spanExporter.getFinishedSpans().length;
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

@Controller()
class Routes {
  @Scopes('campaigns:read') @Get('campaigns') campaigns() {
    return { ok: true };
  }
  @Roles('admin') @Get('admin') admin() {
    return { ok: true };
  }
}

describe('OpenTelemetry spans and metrics', () => {
  let emulator: ProviderEmulator;

  beforeAll(async () => {
    // Started before the SDK is registered: the emulator's own (guarded) apps record nothing.
    emulator = await ProviderEmulator.start();
    const { affilync, convertly } = emulator.clientOptions({ affilync: 'password' });
    keep(emulator.apiKey, affilync.password, convertly.password);
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  });

  afterAll(async () => {
    // Leave no global behind for another suite in this worker.
    trace.disable();
    metrics.disable();
    context.disable();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    await emulator?.close();
  });

  describe('outgoing calls', () => {
    let app: INestApplication;
    let affilync: AffilyncClient;
    let convertly: ConvertlyClient;

    beforeAll(async () => {
      const mod = await Test.createTestingModule({
        imports: [ProviderAuthModule.forRoot({ ...emulator.clientOptions({ affilync: 'password' }), http: { maxRetries: 2 } })],
      })
        .setLogger(new CapturingLogger())
        .compile();
      app = mod.createNestApplication();
      await app.init();
      affilync = app.get(AffilyncClient);
      convertly = app.get(ConvertlyClient);
    });
    afterAll(async () => {
      // The tokens the clients obtained: no span or metric may hold them.
      const store = app.get(TokenStore);
      for (const [provider, block] of Object.entries(emulator.clientOptions({ affilync: 'password' }))) {
        const rec = await store.get(tokenStoreKey(provider, block.baseUrl, (block as { email: string }).email));
        keep(rec?.token.accessToken, rec?.token.refreshToken);
      }
      await app.close();
    });
    beforeEach(() => emulator.clearFaults());

    it('a call is a client span named by its route template; the login it needed is its child', async () => {
      const from = mark();
      const logins = await count('nest_provider_auth.token.logins', { 'nest_provider_auth.provider': 'affilync', 'nest_provider_auth.outcome': 'success' });
      const campaign = emulator.state.affilync.campaigns[0].id;
      await affilync.campaigns.commissionTiers(campaign as CampaignId);

      const spans = spansSince(from);
      const [call] = named(spans, 'affilync GET /campaigns/{id}/commission-tiers');
      expect(call).toBeDefined();
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(call.status.code).toBe(SpanStatusCode.UNSET);
      expect(call.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.template': '/campaigns/{id}/commission-tiers',
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(emulator.affilyncBaseUrl).port),
        'http.response.status_code': 200,
        'nest_provider_auth.provider': 'affilync',
        'nest_provider_auth.attempts': 1,
        'nest_provider_auth.retry_wait_ms': 0,
        'nest_provider_auth.rate_limit_wait_ms': 0,
      });
      expect(call.attributes['http.request.resend_count']).toBeUndefined();
      expect(JSON.stringify(call.attributes)).not.toContain(campaign);

      const [login] = named(spans, 'affilync login');
      expect(login).toBeDefined();
      expect(login.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
      expect(login.spanContext().traceId).toBe(call.spanContext().traceId);
      expect(login.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200, 'nest_provider_auth.attempts': 1 });
      expect(await count('nest_provider_auth.token.logins', { 'nest_provider_auth.provider': 'affilync', 'nest_provider_auth.outcome': 'success' })).toBe(
        logins + 1,
      );
    });

    it('drops the query: neither the span name nor any attribute carries it', async () => {
      const from = mark();
      await affilync.get('/campaigns', { query: { per_page: 5, marker: QUERY_MARKER } }).catch(() => undefined);
      await affilync.get(`/campaigns?per_page=5&marker=${QUERY_MARKER}`).catch(() => undefined);
      const spans = named(spansSince(from), 'affilync GET /campaigns');
      expect(spans).toHaveLength(2);
      for (const s of spans) expect(s.attributes['url.template']).toBe('/campaigns');
    });

    it('a 5xx retried: attempts 2, resend count 1, the retry counted by reason', async () => {
      const retries = await count('nest_provider_auth.client.retries', {
        'nest_provider_auth.provider': 'convertly',
        'nest_provider_auth.reason': 'server_error',
      });
      emulator.fault({ provider: 'convertly', path: '/affiliates', status: 502 });
      const from = mark();
      await convertly.affiliates.list({ limit: 2 });
      const [call] = named(spansSince(from), 'convertly GET /affiliates');
      expect(call.attributes).toMatchObject({
        'http.response.status_code': 200,
        'nest_provider_auth.attempts': 2,
        'http.request.resend_count': 1,
        'nest_provider_auth.rate_limit_wait_ms': 0,
      });
      expect(call.attributes['nest_provider_auth.retry_wait_ms']).toEqual(expect.any(Number));
      expect(call.status.code).toBe(SpanStatusCode.UNSET);
      expect(
        await count('nest_provider_auth.client.retries', { 'nest_provider_auth.provider': 'convertly', 'nest_provider_auth.reason': 'server_error' }),
      ).toBe(retries + 1);
    });

    it('a failed call: span status ERROR, error.type the error class, the status it got', async () => {
      emulator.fault({ provider: 'affilync', path: '/links', method: 'GET', status: 403 });
      const from = mark();
      const error = await affilync.get('/links').catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ProviderForbiddenError' });
      const [call] = named(spansSince(from), 'affilync GET /links');
      expect(call.status.code).toBe(SpanStatusCode.ERROR);
      expect(call.status.message).toBeUndefined();
      expect(call.attributes).toMatchObject({ 'error.type': 'ProviderForbiddenError', 'http.response.status_code': 403, 'nest_provider_auth.attempts': 1 });
    });

    it('a 429 waited out: counted, its wait recorded on the span and in the histogram', async () => {
      const attrs = { 'nest_provider_auth.provider': 'affilync' };
      const received = await count('nest_provider_auth.client.rate_limited', attrs);
      const waits = await histogram('nest_provider_auth.client.rate_limit_wait', { ...attrs, 'nest_provider_auth.reason': 'retry_after' });
      const retries = await count('nest_provider_auth.client.retries', { ...attrs, 'nest_provider_auth.reason': 'rate_limited' });
      emulator.fault({ provider: 'affilync', path: '/campaigns', status: 429, retryAfter: '1' });
      const from = mark();
      await affilync.get('/campaigns');
      const [call] = named(spansSince(from), 'affilync GET /campaigns');
      expect(call.attributes).toMatchObject({
        'http.response.status_code': 200,
        'nest_provider_auth.attempts': 2,
        'nest_provider_auth.rate_limit_wait_ms': 1_000,
        'nest_provider_auth.retry_wait_ms': 0,
      });
      expect(await count('nest_provider_auth.client.rate_limited', attrs)).toBe(received + 1);
      expect(await count('nest_provider_auth.client.retries', { ...attrs, 'nest_provider_auth.reason': 'rate_limited' })).toBe(retries + 1);
      const after = await histogram('nest_provider_auth.client.rate_limit_wait', { ...attrs, 'nest_provider_auth.reason': 'retry_after' });
      expect(after).toEqual({ count: waits.count + 1, sum: waits.sum + 1_000 });
    });

    it('a refresh after a 401 is a child span of the call that needed it, counted as a renewal', async () => {
      await affilync.get('/campaigns');
      const attrs = { 'nest_provider_auth.provider': 'affilync', 'nest_provider_auth.outcome': 'success' };
      const refreshes = await count('nest_provider_auth.token.refreshes', attrs);
      await emulator.revokeAccessTokens('affilync');
      const from = mark();
      await affilync.get('/campaigns');
      const spans = spansSince(from);
      const [call] = named(spans, 'affilync GET /campaigns');
      const [refresh] = named(spans, 'affilync refresh');
      expect(refresh).toBeDefined();
      expect(refresh.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
      expect(refresh.attributes).toMatchObject({ 'nest_provider_auth.provider': 'affilync', 'http.request.method': 'POST', 'http.response.status_code': 200 });
      // The call was sent twice: refused with the revoked token, replayed with the new one.
      expect(call.attributes).toMatchObject({ 'nest_provider_auth.attempts': 2, 'http.response.status_code': 200 });
      expect(await count('nest_provider_auth.token.refreshes', attrs)).toBe(refreshes + 1);
    });

    it('counts the forAccount() cache’s hits and misses per provider; an account’s calls are spans like any', async () => {
      const lookups = (result: string) =>
        count('nest_provider_auth.accounts_cache.lookups', { 'nest_provider_auth.provider': 'affilync', 'nest_provider_auth.result': result });
      const [hits, misses] = [await lookups('hit'), await lookups('miss')];
      const from = mark();
      for (let i = 0; i < 3; i++) await affilync.forAccount({ apiKey: emulator.apiKey }).get('/campaigns');
      const [hitsAfter, missesAfter] = [await lookups('hit'), await lookups('miss')];
      expect({ hits: hitsAfter - hits, misses: missesAfter - misses }).toEqual({ hits: 2, misses: 1 });
      expect(spansSince(from).map((s) => s.name)).toEqual(['affilync GET /campaigns', 'affilync GET /campaigns', 'affilync GET /campaigns']);
    });

    it('a login refused: its span ERROR, counted as a failed login', async () => {
      // Convertly logs in again once its token is refused; the login itself is refused this time.
      await convertly.affiliates.list({ limit: 1 });
      await emulator.revokeAccessTokens('convertly');
      emulator.fault({ provider: 'convertly', path: '/auth/brand/login', status: 401, times: Infinity });
      const attrs = { 'nest_provider_auth.provider': 'convertly', 'nest_provider_auth.outcome': 'failure' };
      const failed = await count('nest_provider_auth.token.logins', attrs);
      const from = mark();
      await expect(convertly.affiliates.list({ limit: 1 })).rejects.toMatchObject({ name: 'ProviderAuthError' });
      const [login] = named(spansSince(from), 'convertly login');
      expect(login.status.code).toBe(SpanStatusCode.ERROR);
      expect(login.attributes).toMatchObject({ 'error.type': 'ProviderAuthError', 'http.response.status_code': 401 });
      expect(await count('nest_provider_auth.token.logins', attrs)).toBe(failed + 1);
      emulator.clearFaults();
      await expect(convertly.affiliates.list({ limit: 1 })).resolves.toBeDefined();
    });
  });

  it('a wait for rate-limit budget before sending is recorded on the span and in the histogram', async () => {
    const provider = await RateLimitedProvider.start({ style: 'affilync', limit: 1, windowMs: 1_000, resetUnit: 'epoch-ms' });
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ affilync: { baseUrl: provider.baseUrl, apiKey: PACED_KEY }, http: { maxRetries: 0 } })],
    })
      .setLogger(new CapturingLogger())
      .compile();
    const app = mod.createNestApplication();
    await app.init();
    try {
      const attrs = { 'nest_provider_auth.provider': 'affilync', 'nest_provider_auth.reason': 'budget' };
      const before = await histogram('nest_provider_auth.client.rate_limit_wait', attrs);
      const client = app.get(AffilyncClient);
      const from = mark();
      await client.get('/campaigns');
      await client.get('/campaigns');
      const [first, second] = named(spansSince(from), 'affilync GET /campaigns');
      expect(first.attributes['nest_provider_auth.rate_limit_wait_ms']).toBe(0);
      expect(second.attributes['nest_provider_auth.rate_limit_wait_ms']).toBeGreaterThan(0);
      expect(provider.refused).toEqual([]);
      const after = await histogram('nest_provider_auth.client.rate_limit_wait', attrs);
      expect(after.count).toBe(before.count + 1);
      expect(after.sum - before.sum).toBeCloseTo(second.attributes['nest_provider_auth.rate_limit_wait_ms'] as number, -1);
    } finally {
      await app.close();
      await provider.close();
    }
  });

  describe.each(['express', 'fastify'])('incoming requests on %s', (adapter) => {
    let app: INestApplication;
    let tokens: TokenService;
    let keys: ApiKeyService;
    const server = () => app.getHttpServer();

    beforeAll(async () => {
      const mod = await Test.createTestingModule({
        imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: JWT_SECRET } })],
        controllers: [Routes],
      })
        .setLogger(new CapturingLogger())
        .compile();
      app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
      await app.init();
      if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
      tokens = app.get(TokenService);
      keys = app.get(ApiKeyService);
    });
    afterAll(() => app.close());

    it('refusals are counted by code and transport', async () => {
      const codes = ['TOKEN_INVALID', 'TOKEN_EXPIRED', 'INSUFFICIENT_SCOPE', 'INSUFFICIENT_ROLE', 'INVALID_REQUEST'];
      const refusals = async () =>
        Object.fromEntries(
          await Promise.all(
            codes.map(async (code) => [
              code,
              await count('nest_provider_auth.incoming.refusals', { 'nest_provider_auth.code': code, 'nest_provider_auth.transport': 'http' }),
            ]),
          ),
        ) as Record<string, number>;
      const before = await refusals();

      const member = await tokens.issue({ sub: 'telemetry-member', role: 'member' });
      const { key } = await keys.create({ label: 'telemetry', scopes: ['links:read'] });
      const expired = forge(accessClaims({ iat: nowSec() - 1_000, exp: nowSec() - 500 }), { secret: JWT_SECRET });
      keep(member.access_token, member.refresh_token, key, expired);

      await request(server()).get('/campaigns').expect(401);
      await request(server()).get('/campaigns').set('Authorization', 'Bearer not-a-token').expect(401);
      await request(server()).get('/campaigns').set('Authorization', `Bearer ${expired}`).expect(401);
      await request(server()).get('/campaigns').set('Authorization', `Bearer ${key}`).expect(403);
      await request(server()).get('/admin').set('Authorization', `Bearer ${member.access_token}`).expect(403);
      await request(server()).get(`/campaigns?access_token=${member.access_token}`).set('Authorization', `Bearer ${member.access_token}`).expect(400);

      const after = await refusals();
      expect(Object.fromEntries(codes.map((c) => [c, after[c] - before[c]]))).toEqual({
        TOKEN_INVALID: 2,
        TOKEN_EXPIRED: 1,
        INSUFFICIENT_SCOPE: 1,
        INSUFFICIENT_ROLE: 1,
        INVALID_REQUEST: 1,
      });
    });

    it('counts the verified-credential cache’s hits and misses, so a hit ratio can be computed', async () => {
      const lookups = (result: string) => count('nest_provider_auth.incoming.credential_cache.lookups', { 'nest_provider_auth.result': result });
      const [hits, misses] = [await lookups('hit'), await lookups('miss')];
      const pair = await tokens.issue({ sub: 'telemetry-cache', role: 'member' });
      keep(pair.access_token, pair.refresh_token);
      for (let i = 0; i < 4; i++) await request(server()).get('/campaigns').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
      const [hitsAfter, missesAfter] = [await lookups('hit'), await lookups('miss')];
      // The first request verifies the token (a miss) and caches it; the next three are hits: 3 / 4.
      expect({ hits: hitsAfter - hits, misses: missesAfter - misses }).toEqual({ hits: 3, misses: 1 });
    });
  });

  it('no span or metric carries a secret, an e-mail or a query string', async () => {
    const values: string[] = [];
    const add = (v: unknown) => values.push(typeof v === 'string' ? v : JSON.stringify(v));
    const spans = spanExporter.getFinishedSpans();
    expect(spans.length).toBeGreaterThan(10);
    for (const span of spans) {
      add(span.name);
      for (const [k, v] of Object.entries(span.attributes)) add(`${k}=${String(v)}`);
      add(span.status.message ?? '');
      for (const event of span.events) add(event);
    }
    const rm = await collect();
    const names = rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    expect(names).toEqual(
      expect.arrayContaining([
        'nest_provider_auth.token.logins',
        'nest_provider_auth.token.refreshes',
        'nest_provider_auth.client.retries',
        'nest_provider_auth.client.rate_limited',
        'nest_provider_auth.client.rate_limit_wait',
        'nest_provider_auth.incoming.refusals',
        'nest_provider_auth.incoming.credential_cache.lookups',
        'nest_provider_auth.accounts_cache.lookups',
      ]),
    );
    for (const m of rm.scopeMetrics.flatMap((s) => s.metrics)) {
      for (const p of m.dataPoints) for (const [k, v] of Object.entries(p.attributes)) add(`${k}=${String(v)}`);
    }
    const text = values.join('\n');
    secretAudit.recordText('telemetry attributes', text);

    const emails = Object.values(emulator.clientOptions({ affilync: 'password' })).map((b) => (b as { email: string }).email);
    expect(secrets.size).toBeGreaterThan(8);
    const leaked = [...secrets, ...emails, QUERY_MARKER].filter((s) => text.includes(s));
    expect(leaked).toEqual([]);
    expect(text).not.toMatch(/\?|per_page|access_token|Bearer|eyJ|afk_/);
  });
});
