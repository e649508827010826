/**
 * ApiKeyService.create() with bad input, reached from a controller, is a 422 VALIDATION_ERROR in
 * the configured error format (Affilync's documented body with `fields`; Convertly's
 * `{ statusCode, message, error }` with the fields spelled out in `message`), never a 500.
 */
import { Body, Controller, HttpException, Post, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiKeyService, ProviderAuthException, ProviderAuthModule, ProviderAuthValidationException, type Scope } from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';

/** A user's controller: the request's strings go to create(), which checks them. */
@Controller('api-keys')
class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  create(@Body() body: { label: string; scopes: string[]; expiresAt?: string }) {
    return this.keys.create({
      label: body.label,
      scopes: body.scopes as Scope[],
      ...(body.expiresAt !== undefined && { expiresAt: new Date(body.expiresAt) }),
    });
  }
}

const TYPO = "unknown scope(s): 'campaign:read' (did you mean 'campaigns:read'?)";

const ANSWERS = {
  affilync: {
    typo: { detail: 'Validation failed', error_code: 'VALIDATION_ERROR', status: 422, fields: [{ field: 'scopes', message: TYPO }] },
    everything: {
      detail: 'Validation failed',
      error_code: 'VALIDATION_ERROR',
      status: 422,
      fields: [
        { field: 'label', message: 'must be a non-empty string' },
        { field: 'scopes', message: 'must be a non-empty list of scopes' },
        { field: 'expiresAt', message: 'must be a valid Date' },
      ],
    },
  },
  convertly: {
    typo: { statusCode: 422, message: `Validation failed: scopes: ${TYPO}`, error: 'Unprocessable Entity' },
    everything: {
      statusCode: 422,
      message: 'Validation failed: label: must be a non-empty string; scopes: must be a non-empty list of scopes; expiresAt: must be a valid Date',
      error: 'Unprocessable Entity',
    },
  },
} as const;

describe.each(['express', 'fastify'])('ApiKeyService.create() behind a controller on %s', (adapter) => {
  describe.each(['affilync', 'convertly'] as const)('errorFormat %s', (errorFormat) => {
    let app: INestApplication;
    const logger = new CapturingLogger();
    const post = (body: unknown) => request(app.getHttpServer()).post('/api-keys').set('Content-Type', 'application/json').send(JSON.stringify(body));

    beforeAll(async () => {
      const mod = await Test.createTestingModule({
        imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'k'.repeat(40), errorFormat } })],
        controllers: [ApiKeysController],
      })
        .setLogger(logger)
        .compile();
      app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
      app.useLogger(logger);
      await app.init();
      if (adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
    });
    afterAll(() => app.close());

    it('an unknown scope is 422 VALIDATION_ERROR naming it, not a 500', async () => {
      const res = await post({ label: 'reporting', scopes: ['analytics:read', 'campaign:read'] }).expect(422);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual(ANSWERS[errorFormat].typo);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    });

    it('lists every bad field at once', async () => {
      const res = await post({ label: ' ', scopes: [], expiresAt: 'next tuesday' }).expect(422);
      expect(res.body).toEqual(ANSWERS[errorFormat].everything);
    });

    it('never repeats a credential pasted into the scope list', async () => {
      const { key } = (await post({ label: 'first', scopes: ['links:read'] }).expect(201)).body as { key: string };
      secretAudit.registerSecret(key);
      const res = await post({ label: 'second', scopes: [key, 'nope'] }).expect(422);
      expect(JSON.stringify(res.body)).not.toContain(key);
      const said = errorFormat === 'affilync' ? res.body.fields[0].message : res.body.message;
      expect(said).toContain("unknown scope(s): 'nope' and 1 more");
      const alone = await post({ label: 'third', scopes: [key] }).expect(422);
      expect(JSON.stringify(alone.body)).not.toContain(key);
      expect(JSON.stringify(alone.body)).toContain('unknown scope(s): 1 item(s) not shaped like a scope name');
    });

    it('valid input is still created (201, exactly { id, key })', async () => {
      const res = await post({ label: 'reporting', scopes: ['analytics:read', 'campaigns:read'] }).expect(201);
      secretAudit.registerSecret(res.body.key);
      expect(Object.keys(res.body).sort()).toEqual(['id', 'key']);
      const listed = (await app.get(ApiKeyService).list()).find((k) => k.id === res.body.id);
      expect(listed?.scopes).toEqual(['analytics:read', 'campaigns:read']);
    });
  });
});

describe('ApiKeyService.create() called directly', () => {
  let app: INestApplication;
  beforeAll(async () => {
    const mod = await Test.createTestingModule({ imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'k'.repeat(40) } })] })
      .setLogger(new CapturingLogger())
      .compile();
    app = mod.createNestApplication();
    await app.init();
  });
  afterAll(() => app.close());

  it('rejects with a ProviderAuthValidationException: an HttpException (422) with the fields, a readable message', async () => {
    const err = await app
      .get(ApiKeyService)
      .create({ label: 'x', scopes: ['webhook:manage' as Scope] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderAuthValidationException);
    expect(err).toBeInstanceOf(ProviderAuthException);
    expect(err).toBeInstanceOf(HttpException);
    const e = err as ProviderAuthValidationException;
    expect(e.getStatus()).toBe(422);
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.fields).toEqual([{ field: 'scopes', message: "unknown scope(s): 'webhook:manage' (did you mean 'webhooks:manage'?)" }]);
    expect(e.message).toBe("Validation failed: scopes: unknown scope(s): 'webhook:manage' (did you mean 'webhooks:manage'?)");
    expect(e.name).toBe('ProviderAuthValidationException');
  });

  it('quotes at most five unknown scopes and counts the rest; no input at all names label and scopes', async () => {
    const keys = app.get(ApiKeyService);
    const many = ['a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:6', 'a:7'] as string[] as Scope[];
    await expect(keys.create({ label: 'x', scopes: many })).rejects.toMatchObject({
      fields: [{ field: 'scopes', message: "unknown scope(s): 'a:1', 'a:2', 'a:3', 'a:4', 'a:5' and 2 more" }],
    });
    await expect(keys.create(undefined as never)).rejects.toMatchObject({
      fields: [
        { field: 'label', message: 'must be a non-empty string' },
        { field: 'scopes', message: 'must be a non-empty list of scopes' },
      ],
    });
  });
});
