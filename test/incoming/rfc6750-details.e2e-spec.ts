/**
 * RFC 6750 details: several Authorization headers are invalid_request (also for a credential the
 * guard has verified before and answers from its cache), and ProviderBearerStrategy's challenges
 * through plain `passport.authenticate()` are valid `WWW-Authenticate` values naming the realm.
 */
import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import { CredentialVerifier } from '../../lib/index.js';
import { expectRefused, R } from './support/answers.js';
import { issue, JWT_SECRET, mintKey } from './support/credential-cases.js';
import { handlerRuns, RouteGuarded, send, startApp, type AdapterName, type Fixture } from './support/incoming-app.js';
import { secretAudit } from '../support/secret-audit.js';

const ADAPTERS: AdapterName[] = ['express', 'fastify'];

describe.each(ADAPTERS)('several Authorization headers on %s', (adapter) => {
  let f: Fixture;
  beforeAll(async () => {
    secretAudit.registerSecret(JWT_SECRET);
    f = await startApp(adapter, { jwtSecret: JWT_SECRET }, [RouteGuarded]);
  });
  afterAll(() => f.app.close());

  it.each([
    ['an access token', async () => (await issue({ tokens: f.tokens, keys: f.keys }, { role: 'admin' })).token],
    ['an API key', async () => (await mintKey({ tokens: f.tokens, keys: f.keys }, ['campaigns:read'])).key],
  ])('refuse %s the guard already verified (its cached fast path) with 400 invalid_request', async (_, credential) => {
    const value = await credential();
    const authorization = `Bearer ${value}`;
    expect(f.app.get(CredentialVerifier).cached(value)).toBeUndefined();
    expect((await send(f.server(), { path: '/g/auth', authorization })).status).toBe(200);
    // Now in the cache: the next request with it alone is answered without a store or signature check.
    expect(f.app.get(CredentialVerifier).cached(value)).toBeDefined();
    for (const twice of [
      [authorization, authorization],
      [authorization, 'Basic YWRtaW46aHVudGVyMg=='],
    ]) {
      const before = handlerRuns.count;
      const answer = await send(f.server(), { path: '/g/auth', authorization: twice });
      expectRefused({ answer, runsBefore: before, credentials: [value], logger: f.logger }, R.duplicate);
    }
    expect((await send(f.server(), { path: '/g/auth', authorization })).status).toBe(200);
  });
});

describe('ProviderBearerStrategy through plain passport.authenticate() (Express)', () => {
  let f: Fixture;
  const realm = 'brand-api';
  beforeAll(async () => {
    f = await startApp('express', { jwtSecret: JWT_SECRET, realm }, [RouteGuarded], false, (app) => {
      const express = app.getHttpAdapter().getInstance() as { get(path: string, ...handlers: unknown[]): void };
      express.get('/plain', passport.authenticate('provider-bearer', { session: false }), (req: Request, res: Response, _next: NextFunction) => {
        res.json(req.user);
      });
    });
  });
  afterAll(() => f.app.close());

  const bearer = `Bearer realm="${realm}"`;
  it.each([
    { name: 'no credential', authorization: undefined, status: 401, challenge: bearer },
    { name: 'another scheme', authorization: 'Basic YWRtaW46aHVudGVyMg==', status: 401, challenge: bearer },
    { name: 'a malformed bearer header', authorization: 'Bearer  two-spaces', status: 401, challenge: `${bearer}, error="invalid_token"` },
    { name: 'a token that does not verify', authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln', status: 401, challenge: `${bearer}, error="invalid_token"` },
    { name: 'a key nobody issued', authorization: `Bearer afk_live_${'A'.repeat(46)}`, status: 401, challenge: `${bearer}, error="invalid_token"` },
  ])('$name: $status with WWW-Authenticate $challenge', async ({ authorization, status, challenge }) => {
    const answer = await send(f.server(), { path: '/plain', authorization });
    expect({ status: answer.status, challenge: answer.headers['www-authenticate'] }).toEqual({ status, challenge });
  });

  it('a valid token passes and the principal is on req.user', async () => {
    const u = await issue({ tokens: f.tokens, keys: f.keys }, { role: 'member' });
    const answer = await send(f.server(), { path: '/plain', authorization: `Bearer ${u.token}` });
    expect(answer.status).toBe(200);
    expect((answer.body as { sub: string }).sub).toBe(u.principal.sub);
  });

  it('several Authorization headers: 400', async () => {
    const u = await issue({ tokens: f.tokens, keys: f.keys }, { role: 'member' });
    const answer = await send(f.server(), { path: '/plain', authorization: [`Bearer ${u.token}`, `Bearer ${u.token}`] });
    expect(answer.status).toBe(400);
  });
});
