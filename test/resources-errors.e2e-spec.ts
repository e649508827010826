import { inspect } from 'node:util';
import { ProviderApiError, ProviderForbiddenError, ProviderNetworkError, ProviderRateLimitError, type AffilyncClient } from '../lib/index.js';
import { DocsAffilync } from './support/docs-resource-fakes.js';
import { secretAudit } from './support/secret-audit.js';
import { startClients, type Clients } from './support/nest-clients.js';

/** What a typed method throws: a 422's fields, the documented codes, retries by the docs' semantics. */
async function failure(p: PromiseLike<unknown>): Promise<ProviderApiError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof ProviderApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const unprocessable = (fields: unknown[], detail = 'Validation failed') => ({
  status: 422,
  json: { detail, error_code: 'VALIDATION_ERROR', status: 422, fields },
});

const link = { campaign_id: 'camp_001' } as const;
const conversion = { click_id: 'clk_9f8e', order_id: 'ORD-77', amount: '49.90' } as const;
const WEBHOOK_SECRET = 'whsec_never_quote_this_one';

describe('typed methods: errors', () => {
  let fake: DocsAffilync;
  let app: Clients;
  let affilync: AffilyncClient;
  beforeAll(() => secretAudit.registerSecret(WEBHOOK_SECRET));

  beforeEach(async () => {
    fake = await DocsAffilync.start(5);
    app = await startClients({ affilync: { baseUrl: fake.baseUrl, apiKey: fake.apiKey }, http: { maxRetries: 2, maxRetryAfterMs: 1_000 } });
    affilync = app.affilync;
  });
  afterEach(async () => {
    await app.close();
    await fake.close();
  });

  describe('a 422', () => {
    it('puts fields[] on the error, with code VALIDATION_ERROR, and names the fields in the message', async () => {
      fake.fail(
        'POST',
        '/links',
        unprocessable([
          { field: 'landing_page_url', message: 'Domain is not allowed for this campaign' },
          { field: 'sub_id_1', message: 'Must be at most 64 characters' },
        ]),
      );
      const err = await failure(affilync.links.create({ ...link, landing_page_url: 'https://elsewhere.example/', sub_id_1: 'x' }));
      expect(err).toMatchObject({ status: 422, code: 'VALIDATION_ERROR', retryable: false });
      expect(err.fields).toEqual([
        { field: 'landing_page_url', message: 'Domain is not allowed for this campaign' },
        { field: 'sub_id_1', message: 'Must be at most 64 characters' },
      ]);
      expect(err.message).toBe('Affilync answered 422 to POST /links (VALIDATION_ERROR): Validation failed [fields: landing_page_url, sub_id_1]');
      expect(JSON.parse(JSON.stringify(err))).toMatchObject({ fields: err.fields, code: 'VALIDATION_ERROR' });
    });

    it('scrubs the fields like any provider text: held secrets cut out, unsafe names dropped', async () => {
      fake.fail(
        'POST',
        '/webhooks',
        unprocessable([
          { field: 'secret', message: `secret ${WEBHOOK_SECRET} is already used by wh_1` },
          { field: 'url', message: `key ${fake.apiKey} may not register\nforged log line` },
          { field: `x${fake.apiKey}`, message: 'a field name made of the key' },
          { field: '<img src=x>', message: 'not a field name' },
          { field: 42, message: 'not a string' },
          { message: 'no field at all' },
          { field: 'events.1' },
        ]),
      );
      const err = await failure(affilync.webhooks.create({ url: 'https://app.example/h', events: ['call.started', 'call.completed'], secret: WEBHOOK_SECRET }));
      expect(err.fields).toEqual([
        { field: 'secret', message: 'secret [redacted] is already used by wh_1' },
        { field: 'url', message: 'key [redacted] may not register forged log line' },
        { field: 'events.1' },
      ]);
      const shown = [err.message, JSON.stringify(err), inspect(err, { depth: 5 })].join('\n');
      expect(shown).not.toContain(WEBHOOK_SECRET);
      expect(shown).not.toContain(fake.apiKey);
    });

    it('the webhook secret is never quoted from the detail either', async () => {
      fake.fail('POST', '/webhooks', { status: 409, json: { detail: `Secret "${WEBHOOK_SECRET}" in use`, error_code: 'DUPLICATE_RESOURCE', status: 409 } });
      const err = await failure(affilync.webhooks.create({ url: 'https://app.example/h', events: ['click.created'], secret: WEBHOOK_SECRET }));
      expect(err.message).toBe('Affilync answered 409 to POST /webhooks (DUPLICATE_RESOURCE): Secret "[redacted]" in use');
    });

    it('is a conversions.track 422 listing each invalid field', async () => {
      fake.fail('POST', '/conversions/track', unprocessable([{ field: 'click_id', message: 'Unknown click' }]));
      const err = await failure(affilync.conversions.track(conversion));
      expect(err.code).toBe('VALIDATION_ERROR');
      expect(err.fields).toEqual([{ field: 'click_id', message: 'Unknown click' }]);
    });
  });

  describe('documented codes', () => {
    it.each([
      ['CAMPAIGN_NOT_ACTIVE', 409],
      ['AFFILIATE_NOT_APPROVED', 403],
      ['RESOURCE_NOT_FOUND', 404],
    ])('%s (%i) is on code', async (code, status) => {
      fake.fail('POST', '/links', { status, json: { detail: 'No', error_code: code, status } });
      const err = await failure(affilync.links.create(link));
      expect(err).toMatchObject({ code, status, retryable: false });
      expect(err.fields).toBeUndefined();
    });

    it('QUOTA_EXCEEDED (a plan limit) is never retried, whatever the status, and is not retryable', async () => {
      fake.fail('GET', '/links', {
        status: 429,
        headers: { 'retry-after': '0' },
        json: { detail: 'Plan limit reached (max links)', error_code: 'QUOTA_EXCEEDED', status: 429 },
      });
      const listed = await failure(affilync.links.list());
      expect(listed).toMatchObject({ code: 'QUOTA_EXCEEDED', status: 429, retryable: false });
      expect(listed).not.toBeInstanceOf(ProviderRateLimitError);
      fake.fail('POST', '/links', { status: 403, json: { detail: 'Plan limit reached (max links)', error_code: 'QUOTA_EXCEEDED', status: 403 } });
      await expect(affilync.links.create(link)).rejects.toBeInstanceOf(ProviderForbiddenError);
      fake.fail('GET', '/commissions', { status: 503, json: { detail: 'Plan limit reached', error_code: 'QUOTA_EXCEEDED', status: 503 } });
      await expect(affilync.commissions.list()).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', retryable: false });
      expect(fake.requests).toHaveLength(3);
    });

    it('RATE_LIMIT_EXCEEDED on a read is waited out and retried', async () => {
      fake.fail('GET', '/commissions/comm_001', {
        status: 429,
        headers: { 'retry-after': '0' },
        json: { detail: 'Too many', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 },
      });
      await expect(affilync.commissions.get('comm_001')).resolves.toMatchObject({ id: 'comm_001' });
      expect(fake.requests).toHaveLength(2);
    });
  });

  describe('retries follow the docs', () => {
    const creates: [string, (a: AffilyncClient) => Promise<unknown>, string][] = [
      ['links.create', (a) => a.links.create(link), '/links'],
      ['links.createMany', (a) => a.links.createMany([link, link]), '/links/bulk'],
      ['callTracking.numbers.create', (a) => a.callTracking.numbers.create({ type: 'local', area_code: '415' }), '/call-tracking/numbers'],
      ['webhooks.create', (a) => a.webhooks.create({ url: 'https://app.example/h', events: ['conversion.created'], secret: WEBHOOK_SECRET }), '/webhooks'],
    ];

    it.each(creates)('%s is sent once: not retried after a 503', async (_, create, path) => {
      fake.fail('POST', path, { status: 503, json: { detail: 'Unavailable', error_code: 'SERVICE_UNAVAILABLE', status: 503 } });
      await expect(create(affilync)).rejects.toMatchObject({ status: 503, retryable: true });
      expect(fake.requests).toHaveLength(1);
    });

    it.each(creates)('%s is sent once: not retried after a dropped connection', async (_, create, path) => {
      fake.fail('POST', path, { destroy: true });
      await expect(create(affilync)).rejects.toBeInstanceOf(ProviderNetworkError);
      expect(fake.requests).toHaveLength(1);
    });

    it.each(creates)('%s is sent once: a 429 is thrown with retryAfterMs, not waited out', async (_, create, path) => {
      fake.fail('POST', path, { status: 429, headers: { 'retry-after': '0' }, json: { detail: 'Too many', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 } });
      await expect(create(affilync)).rejects.toMatchObject({ constructor: ProviderRateLimitError, code: 'RATE_LIMIT_EXCEEDED', retryAfterMs: 0 });
      expect(fake.requests).toHaveLength(1);
    });

    it('conversions.track is retried like a GET (order_id de-duplicates), with the same body', async () => {
      fake.fail(
        'POST',
        '/conversions/track',
        { status: 503, json: { detail: 'Unavailable', error_code: 'SERVICE_UNAVAILABLE', status: 503 } },
        { destroy: true },
      );
      await expect(affilync.conversions.track(conversion)).resolves.toMatchObject({ id: 'conv_001', order_id: 'ORD-77' });
      expect(fake.requests).toHaveLength(3);
      expect(new Set(fake.requests.map((r) => r.body)).size).toBe(1);
      expect(fake.conversions.size).toBe(1);
    });

    it('a 409 DUPLICATE_RESOURCE to a retry of track says an earlier attempt recorded it (retried: true)', async () => {
      // The first attempt is recorded, but its answer is lost (503); the retry meets the de-duplication.
      fake.fail('POST', '/conversions/track', {
        afterActing: true,
        status: 503,
        json: { detail: 'Unavailable', error_code: 'SERVICE_UNAVAILABLE', status: 503 },
      });
      const err = await failure(affilync.conversions.track(conversion));
      expect(err).toMatchObject({ status: 409, code: 'DUPLICATE_RESOURCE', retried: true, retryable: false, provider: 'affilync' });
      expect(err.message).toMatch(/to a retry of POST \/conversions\/track: an earlier attempt of this call recorded the conversion .*do not track it again/);
      expect(fake.requests).toHaveLength(2);
      expect(fake.conversions.size).toBe(1);
      expect(JSON.parse(JSON.stringify(err))).toMatchObject({ retried: true });
    });

    it('a 409 DUPLICATE_RESOURCE to a first attempt is an ordinary duplicate (no retried)', async () => {
      await affilync.conversions.track(conversion);
      const err = await failure(affilync.conversions.track(conversion));
      expect(err).toMatchObject({ status: 409, code: 'DUPLICATE_RESOURCE' });
      expect(err.retried).toBeUndefined();
      expect(err.message).toBe('Affilync answered 409 to POST /conversions/track (DUPLICATE_RESOURCE): A conversion with this order_id already exists');
    });

    it('retried is set on any answer that came to a retry', async () => {
      fake.fail('GET', '/commissions', { status: 502, json: {} }, { status: 502, json: {} }, { status: 502, json: {} });
      const err = await failure(affilync.commissions.list());
      expect(err).toMatchObject({ status: 502, retried: true });
      expect(err.message).toBe('Affilync answered 502 to a retry of GET /commissions');
      expect(fake.requests).toHaveLength(3);
    });
  });

  describe('rateLimit', () => {
    it('has no reset (not NaN) when X-RateLimit-Reset is absent', async () => {
      const res = await affilync.request({ method: 'GET', path: '/commissions/comm_001' });
      expect(res.rateLimit).toEqual({ limit: 300, remaining: 287 });
      expect('reset' in res.rateLimit!).toBe(false);
    });

    it('has reset (epoch ms) when the header is there', async () => {
      fake.rateLimitReset = '30';
      const before = Date.now();
      const res = await affilync.request({ method: 'GET', path: '/commissions/comm_001' });
      expect(res.rateLimit!.reset).toBeGreaterThanOrEqual(before + 30_000);
    });
  });
});

describe('typed methods: a password under 8 characters', () => {
  it('fields carry names the request sent only, without messages, while a secret is too short to scrub', async () => {
    const fake = await DocsAffilync.start(1);
    fake.password = 'Ab1!x';
    secretAudit.registerSecret(fake.password);
    const app = await startClients({ affilync: { baseUrl: fake.baseUrl, email: fake.email, password: fake.password } });
    try {
      fake.fail(
        'POST',
        '/links',
        unprocessable([
          { field: 'landing_page_url', message: 'Not allowed' },
          { field: 'Ab1!x', message: 'the password as a field name' },
          { field: 'sub_ab1', message: 'a name the request did not carry' },
          { field: 'campaign_id', message: 'Not active' },
        ]),
      );
      const err = await failure(app.affilync.links.create({ campaign_id: 'camp_001', landing_page_url: 'https://x.example/' }));
      expect(err.code).toBe('VALIDATION_ERROR');
      expect(err.fields).toEqual([{ field: 'landing_page_url' }, { field: 'campaign_id' }]);
      expect(err.message).toBe('Affilync answered 422 to POST /links (VALIDATION_ERROR) [fields: landing_page_url, campaign_id]');
    } finally {
      await app.close();
      await fake.close();
    }
  });
});
