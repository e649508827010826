import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import request from 'supertest';
import { ApiKeyService } from '../../lib/index.js';
import { applyProviderAuthOpenApi } from '../../lib/swagger/index.js';
import { ADAPTERS, globalGuardApp, perRouteApp, type DocumentedApp } from './support/documented-apps.js';

/** An operation, with the extensions the function writes. */
type Operation = OperationObject & { 'x-required-scopes'?: string[]; 'x-required-roles'?: string[] };

function op(document: OpenAPIObject, method: string, path: string): Operation {
  const operation = (document.paths[path] as Record<string, Operation> | undefined)?.[method];
  if (!operation) throw new Error(`${method} ${path} is not in the document: ${Object.keys(document.paths).join(', ')}`);
  return operation;
}

function response(operation: OperationObject, status: string): ResponseObject {
  return operation.responses[status] as ResponseObject;
}

/** The example bodies of one documented response, by code. */
function examples(operation: OperationObject, status: string): Record<string, unknown> {
  const content = response(operation, status).content!['application/json'];
  return Object.fromEntries(Object.entries(content.examples ?? {}).map(([code, e]) => [code, (e as { value: unknown }).value]));
}

const AFFILYNC_MISSING = { detail: 'Authentication required: send Authorization: Bearer <token>', error_code: 'TOKEN_INVALID', status: 401 };
const AFFILYNC_EXPIRED = { detail: 'Token has expired', error_code: 'TOKEN_EXPIRED', status: 401 };
const AFFILYNC_PLAN = { detail: 'Feature requires a paid plan', error_code: 'PAYMENT_REQUIRED', status: 403 };

describe.each(ADAPTERS)('applyProviderAuthOpenApi on %s', (adapter) => {
  describe('under globalGuard, with a global prefix, URI versioning and the Affilync error format', () => {
    let subject: DocumentedApp;
    let document: OpenAPIObject;
    beforeAll(async () => {
      subject = await globalGuardApp(adapter);
      document = applyProviderAuthOpenApi(subject.app, subject.document);
    });
    afterAll(() => subject.close());

    it('mutates and returns the document, and adds the bearer scheme and the error schema', () => {
      expect(document).toBe(subject.document);
      expect(document.components?.securitySchemes?.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or afk_live_ API key' });
      expect(document.components?.schemas?.ProviderAuthError).toMatchObject({
        type: 'object',
        required: ['detail', 'error_code', 'status'],
        properties: { detail: { type: 'string' }, error_code: { type: 'string' }, status: { type: 'integer' } },
      });
    });

    it('a class-level @Scopes route: bearer security, x-required-scopes, description, 401 and 403', () => {
      const list = op(document, 'get', '/api/v1/campaigns');
      expect(list.security).toEqual([{ bearer: [] }]);
      expect(list['x-required-scopes']).toEqual(['campaigns:read']);
      expect(list['x-required-roles']).toBeUndefined();
      expect(list.description).toContain('**Required scopes:** `campaigns:read` (all of them).');
      expect(list.description).toContain('**Plans:** users on `growth`, `scale`.');
      expect(list.description).not.toContain('Required role');
      expect(examples(list, '401')).toEqual({ TOKEN_INVALID: AFFILYNC_MISSING, TOKEN_EXPIRED: AFFILYNC_EXPIRED });
      expect(response(list, '401').headers?.['WWW-Authenticate']).toBeDefined();
      expect(examples(list, '403')).toEqual({
        INSUFFICIENT_SCOPE: { detail: 'Missing required scope: campaigns:read', error_code: 'INSUFFICIENT_SCOPE', status: 403 },
        PAYMENT_REQUIRED: AFFILYNC_PLAN,
      });
      expect(response(list, '403').content!['application/json'].schema).toEqual({ $ref: '#/components/schemas/ProviderAuthError' });
      expect(list.responses['429']).toBeUndefined(); // no throttler in this app
    });

    it("a handler's own @Scopes replaces the class's, and the user's description is kept first", () => {
      const create = op(document, 'post', '/api/v1/campaigns');
      expect(create['x-required-scopes']).toEqual(['campaigns:write']);
      expect(create.description!.startsWith('Creates a campaign.\n\n**Authentication:**')).toBe(true);
      expect(create.description).toContain('`campaigns:write`');
      expect(create.description).not.toContain('`campaigns:read`');
    });

    it('@Roles on the handler: x-required-roles, the role in the description, INSUFFICIENT_ROLE; the class scopes still apply', () => {
      const remove = op(document, 'delete', '/api/v1/campaigns/{id}');
      expect(remove.security).toEqual([{ bearer: [] }]);
      expect(remove['x-required-scopes']).toEqual(['campaigns:read']);
      expect(remove['x-required-roles']).toEqual(['admin']);
      expect(remove.description).toContain('**Required role:** `admin`');
      expect(Object.keys(examples(remove, '403')).sort()).toEqual(['INSUFFICIENT_ROLE', 'INSUFFICIENT_SCOPE', 'PAYMENT_REQUIRED']);
      expect(examples(remove, '403').INSUFFICIENT_ROLE).toEqual({
        detail: 'This action requires the admin role',
        error_code: 'INSUFFICIENT_ROLE',
        status: 403,
      });
    });

    it('@Public() in a guarded class: security [] and no error responses', () => {
      const health = op(document, 'get', '/api/v1/campaigns/health');
      expect(health.security).toEqual([]);
      expect(health['x-required-scopes']).toBeUndefined();
      expect(health.description).toBeUndefined();
      expect(Object.keys(health.responses).filter((s) => s >= '400')).toEqual([]);
    });

    it('never overwrites a response the user documented for the same status', () => {
      const get = op(document, 'get', '/api/v1/campaigns/{id}');
      expect(response(get, '403')).toEqual({ description: 'Not your campaign' });
      expect(examples(get, '401').TOKEN_EXPIRED).toEqual(AFFILYNC_EXPIRED);
    });

    it('a @Version(2) route is found at its versioned path; @Scopes() alone: no scope, only the plan 403', () => {
      const stats = op(document, 'get', '/api/v2/campaigns/{id}/stats');
      expect(stats.security).toEqual([{ bearer: [] }]);
      expect(stats['x-required-scopes']).toEqual([]);
      expect(stats.description).toContain('**Required scopes:** none.');
      expect(examples(stats, '403')).toEqual({ PAYMENT_REQUIRED: AFFILYNC_PLAN });
    });

    it("a @Public() class is open; a method's own @Scopes in it is guarded", () => {
      expect(op(document, 'get', '/api/v1/status').security).toEqual([]);
      const priv = op(document, 'get', '/api/v1/status/private');
      expect(priv.security).toEqual([{ bearer: [] }]);
      expect(priv['x-required-scopes']).toEqual(['analytics:read']);
    });

    it('a @Public() route behind a guard of the user’s own is left untouched; its guarded neighbour is documented', () => {
      const feed = op(document, 'get', '/api/v1/partners/feed');
      expect(feed.security).toBeUndefined();
      expect(feed.description).toBeUndefined();
      expect(feed.responses['401']).toBeUndefined();
      const list = op(document, 'get', '/api/v1/partners');
      expect(list.security).toEqual([{ bearer: [] }]);
      expect(list['x-required-scopes']).toEqual(['affiliates:read']);
    });

    it('every operation of the document was read: guarded, open or left to another guard', () => {
      const left = Object.entries(document.paths).flatMap(([path, item]) =>
        Object.entries(item as Record<string, OperationObject>)
          .filter(([, o]) => o.security === undefined)
          .map(([method]) => `${method} ${path}`),
      );
      expect(left).toEqual(['get /api/v1/partners/feed']);
    });

    it('the documented answers are the ones the app sends', async () => {
      const server = subject.app.getHttpServer();
      const missing = await request(server).get('/api/v1/campaigns');
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual(examples(op(document, 'get', '/api/v1/campaigns'), '401').TOKEN_INVALID);
      const { key } = await subject.app.get(ApiKeyService).create({ label: 'links only', scopes: ['links:read'] });
      const refused = await request(server).get('/api/v1/campaigns').set('authorization', `Bearer ${key}`);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(examples(op(document, 'get', '/api/v1/campaigns'), '403').INSUFFICIENT_SCOPE);
      expect(refused.headers['www-authenticate']).toBe(
        (response(op(document, 'get', '/api/v1/campaigns'), '403').headers!['WWW-Authenticate'] as { schema: { example: string } }).schema.example,
      );
      expect((await request(server).get('/api/v1/campaigns/health')).status).toBe(200);
    });

    it('applied twice, the document does not change', () => {
      const once = JSON.stringify(document);
      applyProviderAuthOpenApi(subject.app, document);
      expect(JSON.stringify(document)).toBe(once);
    });
  });

  it('a document made with ignoreGlobalPrefix is matched too', async () => {
    const subject = await globalGuardApp(adapter, { ignoreGlobalPrefix: true });
    try {
      const document = applyProviderAuthOpenApi(subject.app, subject.document);
      expect(op(document, 'get', '/v1/campaigns')['x-required-scopes']).toEqual(['campaigns:read']);
      expect(op(document, 'get', '/v1/campaigns/health').security).toEqual([]);
    } finally {
      await subject.close();
    }
  });

  describe('with @UseGuards(ProviderAuthGuard) per route, ProviderThrottlerGuard global and the Convertly error format', () => {
    let subject: DocumentedApp;
    let document: OpenAPIObject;
    beforeAll(async () => {
      subject = await perRouteApp(adapter);
      document = applyProviderAuthOpenApi(subject.app, subject.document);
    });
    afterAll(() => subject.close());

    it('a controller with its own @UseGuards(ProviderAuthGuard): bearer, scopes, Convertly bodies, 429', () => {
      const list = op(document, 'get', '/reports');
      expect(list.security).toEqual([{ bearer: [] }]);
      expect(list['x-required-scopes']).toEqual(['analytics:read']);
      expect(list.description).not.toContain('Plans');
      expect(document.components?.schemas?.ProviderAuthError).toMatchObject({ required: ['statusCode', 'message', 'error'] });
      expect(examples(list, '401')).toEqual({
        TOKEN_INVALID: { statusCode: 401, message: 'Authentication required: send Authorization: Bearer <token>', error: 'Unauthorized' },
        TOKEN_EXPIRED: { statusCode: 401, message: 'Token expired', error: 'Unauthorized' },
      });
      expect(examples(list, '403')).toEqual({
        INSUFFICIENT_SCOPE: { statusCode: 403, message: 'Missing required scope: analytics:read', error: 'Forbidden' },
      });
      expect(examples(list, '429')).toEqual({
        RATE_LIMIT_EXCEEDED: { statusCode: 429, message: 'Rate limit exceeded', error: 'Too Many Requests' },
      });
      expect(Object.keys(response(list, '429').headers!).map((h) => h.toLowerCase())).toEqual(
        expect.arrayContaining(['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']),
      );
    });

    it('@Roles with @Scopes() on the handler; @SkipThrottle() leaves out the 429', () => {
      const summary = op(document, 'get', '/reports/summary');
      expect(summary['x-required-scopes']).toEqual([]);
      expect(summary['x-required-roles']).toEqual(['member']);
      expect(Object.keys(examples(summary, '403'))).toEqual(['INSUFFICIENT_ROLE']);
      const exported = op(document, 'get', '/reports/export');
      expect(exported.security).toEqual([{ bearer: [] }]);
      expect(exported.responses['429']).toBeUndefined();
    });

    it('a route with no guard but the throttler: security [] and its 429 only', () => {
      const ping = op(document, 'get', '/mixed/ping');
      expect(ping.security).toEqual([]);
      expect(Object.keys(ping.responses).filter((s) => s >= '400')).toEqual(['429']);
    });

    it('@UseGuards(a subclass of ProviderAuthGuard) on one handler is read as ours', () => {
      const secret = op(document, 'get', '/mixed/secret');
      expect(secret.security).toEqual([{ bearer: [] }]);
      expect(secret['x-required-scopes']).toEqual(['links:read']);
    });

    it("a route behind another guard is left untouched; an operation's own security is kept", () => {
      const partner = op(document, 'get', '/mixed/partner');
      expect(partner.security).toBeUndefined();
      expect(Object.keys(partner.responses).filter((s) => s >= '400')).toEqual([]);
      expect(op(document, 'get', '/mixed/documented').security).toEqual([{ 'partner-key': [] }]);
    });

    it('the 401 the app sends is the documented one', async () => {
      const res = await request(subject.app.getHttpServer()).get('/reports');
      expect(res.status).toBe(401);
      expect(res.body).toEqual(examples(op(document, 'get', '/reports'), '401').TOKEN_INVALID);
    });
  });

  it('a securitySchemeName of your own, and a scheme already in the document is kept', async () => {
    const subject = await perRouteApp(adapter);
    try {
      subject.document.components!.securitySchemes = { api: { type: 'http', scheme: 'bearer', bearerFormat: 'mine' } };
      const document = applyProviderAuthOpenApi(subject.app, subject.document, { securitySchemeName: 'api' });
      expect(document.components!.securitySchemes).toEqual({ api: { type: 'http', scheme: 'bearer', bearerFormat: 'mine' } });
      expect(op(document, 'get', '/reports').security).toEqual([{ api: [] }]);
    } finally {
      await subject.close();
    }
  });
});
