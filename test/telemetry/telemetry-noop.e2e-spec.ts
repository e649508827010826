/**
 * Without OpenTelemetry: `@opentelemetry/api` not installed (played by an importer that rejects as
 * Node does), or installed with no SDK registered. The module boots, calls and guards work, nothing
 * is logged about it, and a disabled telemetry is never called past its `enabled` flag.
 */
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AffilyncClient, ConvertlyClient, ProviderAuthModule, Scopes, TokenService } from '../../lib/index.js';
import { ProviderEmulator } from '../../lib/testing/index.js';
import { loadTelemetry } from '../../lib/telemetry/load-telemetry.js';
import { NOOP_TELEMETRY } from '../../lib/telemetry/noop-telemetry.js';
import { PROVIDER_AUTH_TELEMETRY, type ProviderTelemetry } from '../../lib/telemetry/provider-telemetry.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';

const JWT_SECRET = 'telemetry-noop-hs256-secret-0123456789abcdef';

/** What Node throws for a package that is not installed. */
function notInstalled(): Error {
  return Object.assign(new Error("Cannot find package '@opentelemetry/api' imported from /app/dist/telemetry/load-telemetry.js"), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

@Controller()
class Routes {
  @Scopes('campaigns:read') @Get('campaigns') campaigns() {
    return { ok: true };
  }
}

describe('loadTelemetry()', () => {
  it('is the no-op when @opentelemetry/api cannot be imported', async () => {
    const telemetry = await loadTelemetry(() => Promise.reject(notInstalled()));
    expect(telemetry).toBe(NOOP_TELEMETRY);
    expect(telemetry.enabled).toBe(false);
  });

  it('is the no-op when the import resolves to something that is not the API', async () => {
    await expect(loadTelemetry(() => Promise.resolve({}))).resolves.toBe(NOOP_TELEMETRY);
    await expect(loadTelemetry(() => Promise.resolve(undefined))).resolves.toBe(NOOP_TELEMETRY);
  });

  it('is the no-op when the API is installed but no SDK registered a tracer or meter provider', async () => {
    await expect(loadTelemetry()).resolves.toBe(NOOP_TELEMETRY);
  });

  it('the no-op still runs what it is handed', async () => {
    const client = NOOP_TELEMETRY.forClient('affilync', 'http://127.0.0.1:1');
    expect(client.enabled).toBe(false);
    await expect(client.call('GET', '/campaigns', async () => 'ran')).resolves.toBe('ran');
    await expect(client.tokenExchange('login', '/auth/login', async () => 'ran')).resolves.toBe('ran');
  });
});

describe.each<[string, () => ProviderTelemetry | Promise<ProviderTelemetry>]>([
  ['@opentelemetry/api not installed', () => loadTelemetry(() => Promise.reject(notInstalled()))],
  [
    // Every method throws: a disabled telemetry must cost its callers one `enabled` check, nothing more.
    'a disabled telemetry that throws if called',
    () => {
      const trip = () => {
        throw new Error('a disabled telemetry was called');
      };
      return {
        enabled: false,
        forClient: () => ({ enabled: false, call: trip, tokenExchange: trip, accountCache: trip }),
        refusal: trip,
        credentialCache: trip,
        accountCache: trip,
      };
    },
  ],
])('the module with %s', (_what, telemetry) => {
  let emulator: ProviderEmulator;
  let app: INestApplication;
  let logger: CapturingLogger;

  beforeAll(async () => {
    emulator = await ProviderEmulator.start();
    const options = emulator.clientOptions({ affilync: 'password' });
    secretAudit.registerSecret(emulator.apiKey, options.affilync.password, options.convertly.password);
    logger = new CapturingLogger();
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ ...options, globalGuard: true, incoming: { jwtSecret: JWT_SECRET } })],
      controllers: [Routes],
    })
      .overrideProvider(PROVIDER_AUTH_TELEMETRY)
      .useFactory({ factory: telemetry })
      .setLogger(logger)
      .compile();
    app = mod.createNestApplication();
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await emulator?.close();
  });

  it('boots, logs in, calls, renews after a 401 and retries a 5xx', async () => {
    const affilync = app.get(AffilyncClient);
    const convertly = app.get(ConvertlyClient);
    await expect(affilync.get('/campaigns')).resolves.toMatchObject({ data: expect.any(Array) });
    await expect(convertly.affiliates.list({ limit: 1 })).resolves.toMatchObject({ data: expect.any(Array) });
    await emulator.revokeAccessTokens('affilync');
    emulator.fault({ provider: 'affilync', path: '/campaigns', status: 503 });
    await expect(affilync.get('/campaigns')).resolves.toMatchObject({ data: expect.any(Array) });
    expect(emulator.counters.affilync.refreshes).toBe(1);
  });

  it('guards routes: refusals, a first check and a cached one', async () => {
    const pair = await app.get(TokenService).issue({ sub: 'noop-user', role: 'member' });
    secretAudit.registerSecret(pair.access_token, pair.refresh_token);
    await request(app.getHttpServer()).get('/campaigns').expect(401);
    await request(app.getHttpServer()).get('/campaigns').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
    await request(app.getHttpServer()).get('/campaigns').set('Authorization', `Bearer ${pair.access_token}`).expect(200);
  });

  it('says nothing about telemetry in the log', () => {
    expect(logger.text()).not.toMatch(/telemetry|opentelemetry/i);
    expect(logger.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });
});
