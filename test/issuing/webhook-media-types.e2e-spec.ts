/**
 * AffilyncWebhookGuard and what outside requests send: whatever the media type or body, an outside
 * request is never a 5xx. A missing or malformed signature is 401 SIGNATURE_INVALID (checked
 * first); a well-formed signature on a body that was not kept raw because it is not JSON is 415.
 * Only a JSON request on an app created without `rawBody: true` (the app's own mistake) is a 500,
 * with the error line that says how to fix it.
 */
import { Body, Controller, HttpCode, Post, UseGuards, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AffilyncWebhookGuard, ProviderAuthModule, Public } from '../../lib/index.js';
import { signAffilyncWebhook } from '../../lib/testing/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';

const WEBHOOK_SECRET = 'whsec_media_type_suite_secret_0123456789';
const runs: unknown[] = [];

@Controller()
class Hooks {
  @Public()
  @UseGuards(AffilyncWebhookGuard)
  @Post('hook')
  @HttpCode(204)
  hook(@Body() body: unknown) {
    runs.push(body);
  }
}

const event = JSON.stringify({ id: 'evt_1', event: 'conversion.created', created_at: '2026-03-21T15:00:00Z', data: {} });
const JUNK = 'not-a-signature';
/** Well formed (sha256=<64 hex>) but not this body's. */
const WRONG = `sha256=${'ab'.repeat(32)}`;

type Adapter = 'express' | 'fastify';

async function start(adapter: Adapter, rawBody: boolean): Promise<{ app: INestApplication; logger: CapturingLogger }> {
  const logger = new CapturingLogger();
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'w'.repeat(40), webhookSecret: WEBHOOK_SECRET } })],
    controllers: [Hooks],
  })
    .setLogger(logger)
    .compile();
  const app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter(), { rawBody }) : mod.createNestApplication({ rawBody });
  app.useLogger(logger);
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return { app, logger };
}

interface Sent {
  contentType?: string;
  body: string | Buffer;
  signature?: string;
}

async function post(app: INestApplication, s: Sent) {
  let r = request(app.getHttpServer()).post('/hook');
  if (s.contentType !== undefined) r = r.set('Content-Type', s.contentType);
  if (s.signature !== undefined) r = r.set('X-Affilync-Signature', s.signature);
  const res = await r.send(s.body);
  return { status: res.status, body: res.body as unknown };
}

const SIGNATURE_INVALID = { detail: 'Webhook signature is missing or invalid', error_code: 'SIGNATURE_INVALID', status: 401 };

/** [name, request, status on Express, status on Fastify (which refuses some media types itself, before any guard)] */
const CASES: [string, Sent, number, number][] = [
  ['text/plain, no signature', { contentType: 'text/plain', body: event }, 401, 401],
  ['text/plain, a junk signature', { contentType: 'text/plain', body: event, signature: JUNK }, 401, 401],
  ['text/plain, its own valid signature', { contentType: 'text/plain', body: event, signature: signAffilyncWebhook(event, WEBHOOK_SECRET) }, 415, 415],
  ['octet-stream, no signature', { contentType: 'application/octet-stream', body: Buffer.from(event) }, 401, 415],
  ['octet-stream, a junk signature', { contentType: 'application/octet-stream', body: Buffer.from(event), signature: JUNK }, 401, 415],
  ['octet-stream, a well-formed signature', { contentType: 'application/octet-stream', body: Buffer.from(event), signature: WRONG }, 415, 415],
  ['no content type, no signature', { body: Buffer.from(event) }, 401, 415],
  ['no content type, a junk signature', { body: Buffer.from(event), signature: JUNK }, 401, 415],
  ['no content type, a well-formed signature', { body: Buffer.from(event), signature: WRONG }, 415, 415],
  ['an empty JSON body, no signature', { contentType: 'application/json', body: '' }, 401, 400],
  ['an empty JSON body, a junk signature', { contentType: 'application/json', body: '', signature: JUNK }, 401, 400],
  ['an empty JSON body, a well-formed signature of something else', { contentType: 'application/json', body: '', signature: WRONG }, 401, 400],
  ['an empty body without content type, a wrong signature', { body: '', signature: WRONG }, 401, 401],
  ['JSON with a wrong signature', { contentType: 'application/json', body: event, signature: WRONG }, 401, 401],
  ['JSON with a charset, no signature', { contentType: 'application/json; charset=utf-8', body: event }, 401, 401],
];

describe.each(['express', 'fastify'] as Adapter[])('AffilyncWebhookGuard and media types on %s', (adapter) => {
  beforeAll(() => secretAudit.registerSecret(WEBHOOK_SECRET));

  describe('app created with rawBody: true', () => {
    let app: INestApplication;
    let logger: CapturingLogger;
    beforeAll(async () => ({ app, logger } = await start(adapter, true)));
    afterAll(() => app.close());
    beforeEach(() => (runs.length = 0));

    it.each(CASES)('%s', async (_, sent, onExpress, onFastify) => {
      const errorsBefore = logger.lines.filter((l) => l.level === 'error').length;
      const answer = await post(app, sent);
      expect(answer.status).toBe(adapter === 'express' ? onExpress : onFastify);
      if (answer.status === 401) expect(answer.body).toEqual(SIGNATURE_INVALID);
      if (answer.status === 415 && adapter === 'express') {
        expect(answer.body).toEqual({ detail: 'Webhook bodies must be sent as application/json', error_code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
      }
      expect(runs).toEqual([]);
      expect(logger.lines.filter((l) => l.level === 'error').length).toBe(errorsBefore);
    });

    it('a refused media type is at most a warn line, never an error', async () => {
      const warnBefore = logger.lines.filter((l) => l.level === 'warn').length;
      for (let i = 0; i < 5; i++) {
        expect((await post(app, { contentType: 'text/plain', body: event, signature: WRONG })).status).toBe(415);
      }
      expect(logger.lines.filter((l) => l.level === 'warn').length - warnBefore).toBeLessThanOrEqual(1);
      expect(logger.lines.some((l) => l.level === 'error')).toBe(false);
    });

    it('a signed JSON body still passes, and a signed empty body is verified over zero bytes', async () => {
      expect((await post(app, { contentType: 'application/json', body: event, signature: signAffilyncWebhook(event, WEBHOOK_SECRET) })).status).toBe(204);
      expect(runs).toEqual([JSON.parse(event)]);
      const emptySigned = await post(app, { body: '', signature: signAffilyncWebhook('', WEBHOOK_SECRET) });
      expect(emptySigned.status).toBe(204);
    });
  });

  describe('app created without rawBody', () => {
    let app: INestApplication;
    let logger: CapturingLogger;
    beforeAll(async () => ({ app, logger } = await start(adapter, false)));
    afterAll(() => app.close());
    beforeEach(() => (runs.length = 0));

    it('a signed JSON request is the one 500, with the error line that says how to fix it', async () => {
      const answer = await post(app, { contentType: 'application/json', body: event, signature: signAffilyncWebhook(event, WEBHOOK_SECRET) });
      expect(answer.status).toBe(500);
      expect(runs).toEqual([]);
      expect(logger.lines.some((l) => l.level === 'error' && /rawBody: true/.test(l.text))).toBe(true);
    });

    it.each([
      ['JSON without a signature', { contentType: 'application/json', body: event }, 401],
      ['JSON with a junk signature', { contentType: 'application/json', body: event, signature: JUNK }, 401],
      ['text/plain with a well-formed signature', { contentType: 'text/plain', body: event, signature: WRONG }, 415],
    ] as [string, Sent, number][])('%s: no error line', async (_, sent, status) => {
      const errorsBefore = logger.lines.filter((l) => l.level === 'error').length;
      expect((await post(app, sent)).status).toBe(status);
      expect(runs).toEqual([]);
      expect(logger.lines.filter((l) => l.level === 'error').length).toBe(errorsBefore);
    });
  });
});
