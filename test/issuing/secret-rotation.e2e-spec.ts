/**
 * Rotating `incoming.jwtSecret`: a list of `{ kid, secret }` whose first entry signs (its kid in the
 * header) and whose every entry verifies. A token's kid picks its one secret; a token without kid
 * (issued under a single secret, before the upgrade) is checked against each. Each "deploy" is a
 * new app on the same refresh-token store, as replicas restarted with new configuration would be.
 */
import { Controller, Get, UseGuards, type INestApplication } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request, { type Response } from 'supertest';
import {
  CurrentPrincipal,
  InMemoryRefreshTokenStore,
  ProviderAuthConfigError,
  ProviderAuthModule,
  Public,
  TokenService,
  type IncomingOptions,
  type Principal,
  type RefreshTokenStore,
  type TokenPair,
} from '../../lib/index.js';
import { answerFor } from '../../lib/incoming/auth-answers.js';
import { ProviderBearerStrategy } from '../../lib/passport/index.js';
import { accessClaims, b64url, forge, parts, payloadOf } from '../incoming/support/token-forge.js';
import { incomingBootstrapError } from '../support/bootstrap-error.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';
import { TokenRoutes } from '../support/token-routes.js';

const OLD = 'rotation-old-secret-of-at-least-32-bytes';
const NEW = 'rotation-new-secret-of-at-least-32-bytes';
const OTHER = 'rotation-other-secret-never-configured!!';
const INVALID = answerFor({ reason: 'invalid' }, 'affilync', 'api');
const CHALLENGE = 'Bearer realm="api", error="invalid_token"';

/** The same routes behind @nestjs/passport, with the package's strategy. */
@Controller('passport')
class PassportRoutes {
  @Public()
  @UseGuards(AuthGuard('provider-bearer'))
  @Get('me')
  me(@CurrentPrincipal() p: Principal) {
    return p;
  }
}

interface Deploy {
  app: INestApplication;
  tokens: TokenService;
  me(token: string): request.Test;
  passportMe(token: string): request.Test;
  refresh(refreshToken: string): request.Test;
}

function keep<T extends { access_token: string; refresh_token?: string }>(pair: T): T {
  secretAudit.registerSecret(pair.access_token, pair.refresh_token);
  return pair;
}

const headerOf = (token: string) => JSON.parse(Buffer.from(parts(token)[0], 'base64url').toString('utf8')) as Record<string, unknown>;

/** A token with this header and these claims, HMAC-SHA256-signed with `secret`. */
function forged(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string): string {
  const token = forge(claims, { header, secret });
  secretAudit.registerSecret(token);
  return token;
}

/** The guard's refusal of a token: the body and WWW-Authenticate of any invalid token. */
function expectInvalid(res: Response): void {
  expectRefusedRefresh(res);
  expect(res.headers['www-authenticate']).toBe(CHALLENGE);
}

/** TokenService's refusal, answered by a route of the app: the guard's body (the route sets no challenge). */
function expectRefusedRefresh(res: Response): void {
  if (res.status === 200) keep(res.body);
  expect({ status: res.status, body: res.status === 200 ? '(accepted)' : res.body }).toEqual({ status: 401, body: INVALID.getResponse() });
}

describe.each(['express', 'fastify'] as const)('incoming.jwtSecret as a list of { kid, secret } on %s', (adapter) => {
  const running: INestApplication[] = [];
  let store: RefreshTokenStore;

  /** One deploy of the app with this jwtSecret, on the shared store. */
  async function deploy(jwtSecret: IncomingOptions['jwtSecret']): Promise<Deploy> {
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret, refreshTokenStore: store } })],
      controllers: [TokenRoutes, PassportRoutes],
      providers: [ProviderBearerStrategy],
    })
      .setLogger(new CapturingLogger())
      .compile();
    const app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
    await app.init();
    if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
    running.push(app);
    const server = () => app.getHttpServer();
    return {
      app,
      tokens: app.get(TokenService),
      me: (token) => request(server()).get('/me').set('Authorization', `Bearer ${token}`),
      passportMe: (token) => request(server()).get('/passport/me').set('Authorization', `Bearer ${token}`),
      refresh: (token) => request(server()).post('/auth/refresh').send({ refresh_token: token }),
    };
  }

  const issue = async (d: Deploy, sub: string): Promise<TokenPair> => keep(await d.tokens.issue({ sub, role: 'member' }));

  beforeAll(() => secretAudit.registerSecret(OLD, NEW, OTHER));
  beforeEach(() => {
    store = new InMemoryRefreshTokenStore();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  it('signs with the first entry and puts its kid in the header of access and refresh tokens', async () => {
    const d = await deploy([
      { kid: '2025-06', secret: NEW },
      { kid: '2025-01', secret: OLD },
    ]);
    const pair = await issue(d, 'kid-header');
    expect(headerOf(pair.access_token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: '2025-06' });
    expect(headerOf(pair.refresh_token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: '2025-06' });
    const next = keep((await d.refresh(pair.refresh_token).expect(200)).body as TokenPair);
    expect(headerOf(next.access_token).kid).toBe('2025-06');
    const rotated = keep(await d.tokens.rotateAccessToken(next.access_token));
    expect(headerOf(rotated.access_token).kid).toBe('2025-06');
  });

  it('a single secret signs as before: no kid in the header', async () => {
    const d = await deploy(OLD);
    const pair = await issue(d, 'no-kid');
    expect(headerOf(pair.access_token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(headerOf(pair.refresh_token)).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('accepts live tokens of both secrets while both are configured, on every verifying path', async () => {
    const before = await deploy([{ kid: 'old', secret: OLD }]);
    const oldPair = await issue(before, 'both-old');
    const during = await deploy([
      { kid: 'new', secret: NEW },
      { kid: 'old', secret: OLD },
    ]);
    const newPair = await issue(during, 'both-new');
    expect(headerOf(oldPair.access_token).kid).toBe('old');
    expect(headerOf(newPair.access_token).kid).toBe('new');

    for (const [pair, sub] of [
      [oldPair, 'both-old'],
      [newPair, 'both-new'],
    ] as const) {
      expect((await during.me(pair.access_token).expect(200)).body).toMatchObject({ kind: 'user', sub });
      expect((await during.passportMe(pair.access_token).expect(200)).body).toMatchObject({ kind: 'user', sub });
    }
    // The app before the upgrade does not know kid "new": a deploy that has not rolled out yet refuses it.
    expectInvalid(await before.me(newPair.access_token));

    // TokenService reads old tokens too: a refresh, a rotation, a revocation.
    const refreshed = keep((await during.refresh(oldPair.refresh_token).expect(200)).body as TokenPair);
    expect(headerOf(refreshed.access_token).kid).toBe('new');
    await during.me(refreshed.access_token).expect(200);
    const other = await issue(before, 'both-rotate');
    const rotated = keep(await during.tokens.rotateAccessToken(other.access_token));
    expect(headerOf(rotated.access_token).kid).toBe('new');
    expectInvalid(await during.me(other.access_token));
    await expect(during.tokens.revokeAccessToken(rotated.access_token)).resolves.toBe(true);
    expectInvalid(await during.me(rotated.access_token));
    await expect(during.tokens.revokeFamily(other.refresh_token)).resolves.toBe(true);
    expectRefusedRefresh(await during.refresh(other.refresh_token));
  });

  it('accepts tokens issued under a single secret (no kid) after switching to a list that holds it, and refreshes them into kid-carrying pairs', async () => {
    const single = await deploy(OLD);
    const pre = await issue(single, 'pre-upgrade');
    const stranger = forged({ alg: 'HS256', typ: 'JWT' }, accessClaims(), OTHER);
    const upgraded = await deploy([
      { kid: 'new', secret: NEW },
      { kid: 'old', secret: OLD },
    ]);

    expect(headerOf(pre.access_token).kid).toBeUndefined();
    expect((await upgraded.me(pre.access_token).expect(200)).body).toMatchObject({ sub: 'pre-upgrade' });
    expect((await upgraded.passportMe(pre.access_token).expect(200)).body).toMatchObject({ sub: 'pre-upgrade' });
    // Without kid, each configured secret is tried: one that is none of them still fails.
    expectInvalid(await upgraded.me(stranger));

    const next = keep((await upgraded.refresh(pre.refresh_token).expect(200)).body as TokenPair);
    expect(headerOf(next.access_token).kid).toBe('new');
    expect(headerOf(next.refresh_token).kid).toBe('new');
    expect((await upgraded.me(next.access_token).expect(200)).body).toMatchObject({ sub: 'pre-upgrade' });
    expect(payloadOf(next.refresh_token).fam).toBe(payloadOf(pre.refresh_token).fam);
    // Still single-use across the upgrade: the pre-upgrade refresh token replayed kills the family.
    expectRefusedRefresh(await upgraded.refresh(pre.refresh_token));
    expectInvalid(await upgraded.me(next.access_token));
  });

  it('refuses a token whose kid is not configured, even when a configured secret signed it', async () => {
    const d = await deploy([
      { kid: 'new', secret: NEW },
      { kid: 'old', secret: OLD },
    ]);
    const garbage = await d.me('not-a-token');
    for (const kid of ['retired', 'NEW', '']) {
      const token = forged({ alg: 'HS256', typ: 'JWT', kid }, accessClaims(), NEW);
      const res = await d.me(token);
      expectInvalid(res);
      expect(res.body).toEqual(garbage.body);
      await d.passportMe(token).expect(401);
      await expect(d.tokens.rotateAccessToken(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    }
  });

  it('checks a token with a kid only against that kid: a kid swapped for another configured one is refused', async () => {
    const d = await deploy([
      { kid: 'new', secret: NEW },
      { kid: 'old', secret: OLD },
    ]);
    const pair = await issue(d, 'swapped');
    // The genuine token's claims, signed with NEW (a configured secret) under a header naming "old".
    const relabelled = forged({ alg: 'HS256', typ: 'JWT', kid: 'old' }, payloadOf(pair.access_token), NEW);
    await d.me(pair.access_token).expect(200);
    expectInvalid(await d.me(relabelled));
    await d.passportMe(relabelled).expect(401);
    await expect(d.tokens.rotateAccessToken(relabelled)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    // And a refresh token signed with OLD but labelled "new".
    const refreshClaims = payloadOf(pair.refresh_token);
    const wrongKid = forged({ alg: 'HS256', typ: 'JWT', kid: 'new' }, refreshClaims, OLD);
    expectRefusedRefresh(await d.refresh(wrongKid));
    await expect(d.tokens.revokeFamily(wrongKid)).resolves.toBe(false);
    await d.me(pair.access_token).expect(200);
  });

  it('after the old secret is removed its tokens, access and refresh, kid or none, are refused, and new ones work', async () => {
    const single = await deploy(OLD);
    const preUpgrade = await issue(single, 'removed-none');
    const listed = await deploy([{ kid: 'old', secret: OLD }]);
    const oldKid = await issue(listed, 'removed-old');
    const during = await deploy([
      { kid: 'new', secret: NEW },
      { kid: 'old', secret: OLD },
    ]);
    const newKid = await issue(during, 'removed-new');
    for (const pair of [preUpgrade, oldKid, newKid]) await during.me(pair.access_token).expect(200);

    const after = await deploy([{ kid: 'new', secret: NEW }]);
    for (const pair of [preUpgrade, oldKid]) {
      expectInvalid(await after.me(pair.access_token));
      await after.passportMe(pair.access_token).expect(401);
      expectRefusedRefresh(await after.refresh(pair.refresh_token));
      await expect(after.tokens.revokeFamily(pair.refresh_token)).resolves.toBe(false);
    }
    await after.me(newKid.access_token).expect(200);
    const renewed = keep((await after.refresh(newKid.refresh_token).expect(200)).body as TokenPair);
    await after.me(renewed.access_token).expect(200);
    const fresh = await issue(after, 'removed-fresh');
    expect(headerOf(fresh.access_token).kid).toBe('new');
    await after.me(fresh.access_token).expect(200);
  });

  it('refuses forged headers: alg none, a kid with path characters or of another type', async () => {
    const d = await deploy([
      { kid: 'new', secret: NEW },
      { kid: 'old', secret: OLD },
    ]);
    const claims = accessClaims();
    const none = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'new' }))}.${b64url(JSON.stringify(claims))}.`;
    secretAudit.registerSecret(none);
    expectInvalid(await d.me(none));
    const noneSigned = `${none}${parts(forged({ alg: 'HS256', typ: 'JWT', kid: 'new' }, claims, NEW))[2]}`;
    expectInvalid(await d.me(noneSigned));
    for (const kid of ['../../../../dev/null', '/etc/passwd', 'new/../new', 'new\u0000', '__proto__', 'constructor', 7, null, ['new'], { kid: 'new' }]) {
      const token = forged({ alg: 'HS256', typ: 'JWT', kid }, claims, NEW);
      expectInvalid(await d.me(token));
      await d.passportMe(token).expect(401);
    }
    // The same claims under the configured kid pass: what was refused above was the header.
    await d.me(forged({ alg: 'HS256', typ: 'JWT', kid: 'new' }, claims, NEW)).expect(200);
  });
});

describe('incoming.jwtSecret lists are checked at bootstrap', () => {
  const LONG = 'a-valid-secret-that-is-long-enough-32b';
  const SHORT = 'short-rotation-secret-31-bytes!';

  beforeAll(() => secretAudit.registerSecret(LONG, SHORT));

  const bootstrapError = (jwtSecret: unknown) => incomingBootstrapError({ jwtSecret: jwtSecret as IncomingOptions['jwtSecret'] });

  it.each([
    ['an empty list', [], 'incoming.jwtSecret', /at least one \{ kid, secret \}/],
    [
      'a repeated kid',
      [
        { kid: 'k1', secret: LONG },
        { kid: 'k1', secret: `${LONG}-2` },
      ],
      'incoming.jwtSecret[1].kid',
      /repeats the kid of incoming\.jwtSecret\[0\]/,
    ],
    [
      'a short secret',
      [
        { kid: 'k1', secret: LONG },
        { kid: 'k2', secret: SHORT },
      ],
      'incoming.jwtSecret[1].secret',
      /at least 32 bytes/,
    ],
    ['a short Buffer secret', [{ kid: 'k1', secret: Buffer.alloc(31, 1) }], 'incoming.jwtSecret[0].secret', /at least 32 bytes/],
    ['a missing secret', [{ kid: 'k1' }], 'incoming.jwtSecret[0].secret', /is required/],
    ['a kid with a slash', [{ kid: '../k1', secret: LONG }], 'incoming.jwtSecret[0].kid', /1 to 64 characters of A-Z a-z 0-9 \. _ -/],
    ['an empty kid', [{ kid: '', secret: LONG }], 'incoming.jwtSecret[0].kid', /1 to 64 characters/],
    ['a 65-character kid', [{ kid: 'k'.repeat(65), secret: LONG }], 'incoming.jwtSecret[0].kid', /1 to 64 characters/],
    ['a kid that is not a string', [{ kid: 7, secret: LONG }], 'incoming.jwtSecret[0].kid', /1 to 64 characters/],
    ['a secret pasted as the kid', [{ kid: SHORT, secret: LONG }], 'incoming.jwtSecret[0].kid', /1 to 64 characters/],
    ['an entry that is a bare secret', [LONG], 'incoming.jwtSecret[0]', /must be \{ kid, secret \}/],
    ['an unknown entry field', [{ kid: 'k1', secret: LONG, alg: 'HS512' }], 'incoming.jwtSecret[0].alg', /is not known/],
    [
      'the same secret under two kids',
      [
        { kid: 'k1', secret: LONG },
        { kid: 'k2', secret: LONG },
      ],
      'incoming.jwtSecret[1].secret',
      /is the secret of incoming\.jwtSecret\[0\]/,
    ],
    ['eleven secrets', Array.from({ length: 11 }, (_, i) => ({ kid: `k${i}`, secret: `${LONG}-${i}` })), 'incoming.jwtSecret', /at most 10/],
  ])('refuses %s, naming the path and never a secret', async (_, jwtSecret, path, problem) => {
    const err = await bootstrapError(jwtSecret);
    expect(err).toBeInstanceOf(ProviderAuthConfigError);
    const issue = (err as ProviderAuthConfigError).issues.find((i) => i.path === path);
    expect(issue?.problem).toMatch(problem);
    const shown = `${err!.message}\n${err!.stack}\n${JSON.stringify(err)}`;
    for (const secret of [LONG, SHORT]) expect(shown).not.toContain(secret);
  });

  it('accepts a list of string and Buffer secrets', async () => {
    await expect(
      bootstrapError([
        { kid: 'k.2025-06_a', secret: Buffer.alloc(32, 9) },
        { kid: 'K-2025-01', secret: LONG },
      ]),
    ).resolves.toBeUndefined();
  });
});
