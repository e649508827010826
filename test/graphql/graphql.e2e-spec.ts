/**
 * ProviderAuthGuard on GraphQL resolvers: Apollo on Express and Mercurius on Fastify, the guard per
 * resolver and as the global guard. Queries, mutations and field resolvers read the HTTP request's
 * Authorization header exactly as a route does; refusals are GraphQL errors with
 * `extensions: { code, status }` and the answer's text, never the credential.
 */
import { secretAudit } from '../support/secret-audit.js';
import { auditedKey, auditedPair } from '../support/audited-credentials.js';
import { gql, startGraphQLApp, type Driver, type GraphQLAnswer, type GraphQLApp, type GuardMode } from './support/graphql-app.js';

const SECRET = 'graphql-transport-secret-0123456789abcdef';
secretAudit.registerSecret(SECRET);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The one error of an answer whose field came back null. */
function refusal(answer: GraphQLAnswer, field: string) {
  expect(answer.status).toBe(200);
  expect(answer.body.data?.[field]).toBeNull();
  expect(answer.body.errors).toHaveLength(1);
  const [error] = answer.body.errors!;
  expect(error.path).toEqual([field]);
  return { message: error.message, extensions: error.extensions };
}

const CASES: [Driver, GuardMode][] = [
  ['apollo-express', 'resolver'],
  ['apollo-express', 'global'],
  ['mercurius-fastify', 'resolver'],
  ['mercurius-fastify', 'global'],
];

describe.each(CASES)('GraphQL on %s, guard per %s', (driver, mode) => {
  let g: GraphQLApp;
  beforeAll(async () => {
    g = await startGraphQLApp(driver, mode, { jwtSecret: SECRET });
  });
  afterAll(() => g.close());

  const key = (scopes: Parameters<GraphQLApp['keys']['create']>[0]['scopes']) => auditedKey(g.keys, { label: 'gql', scopes });
  const token = async (role: 'admin' | 'member') => (await auditedPair(g.tokens, { sub: `u-${role}`, role })).access_token;

  it('a @Public() query answers without a credential', async () => {
    expect((await gql(g.url, '{ health }')).body).toEqual({ data: { health: 'ok' } });
  });

  it('a scoped query: the key with the scope passes, @CurrentPrincipal() has its principal', async () => {
    const { id, key: k } = await key(['campaigns:read']);
    const answer = await gql(g.url, '{ campaigns { id name } whoami { kind id } }', { authorization: `Bearer ${k}` });
    expect(answer.body).toEqual({ data: { campaigns: [{ id: 'c1', name: 'Spring' }], whoami: { kind: 'api_key', id } } });
  });

  it('no header, another scheme, a malformed Bearer: TOKEN_INVALID, status 401', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer  two spaces', 'Bearer a b']) {
      const error = refusal(await gql(g.url, '{ campaigns { id } }', { authorization }), 'campaigns');
      expect(error.extensions).toEqual({ code: 'TOKEN_INVALID', status: 401 });
    }
    const error = refusal(await gql(g.url, '{ campaigns { id } }'), 'campaigns');
    expect(error.message).toBe('Authentication required: send Authorization: Bearer <token>');
  });

  it('a token in the query string is refused (INVALID_REQUEST, 400), alone or beside a valid header; never read', async () => {
    const { key: k } = await key(['campaigns:read']);
    for (const authorization of [undefined, `Bearer ${k}`]) {
      const answer = await gql(g.url, '{ campaigns { id } }', { authorization, search: `?access_token=${k}` });
      const error = refusal(answer, 'campaigns');
      expect(error.extensions).toEqual({ code: 'INVALID_REQUEST', status: 400 });
      expect(JSON.stringify(answer.body)).not.toContain(k);
    }
  });

  it('two Authorization headers: INVALID_REQUEST, 400, even with a good credential in each', async () => {
    const { key: k } = await key(['campaigns:read']);
    const error = refusal(await gql(g.url, '{ campaigns { id } }', { authorization: [`Bearer ${k}`, `Bearer ${k}`] }), 'campaigns');
    expect(error).toEqual({ message: 'Send exactly one Authorization header', extensions: { code: 'INVALID_REQUEST', status: 400 } });
  });

  it('a missing scope: INSUFFICIENT_SCOPE, 403; an API key on @Roles: INSUFFICIENT_ROLE, 403', async () => {
    const { key: k } = await key(['links:read']);
    const scoped = refusal(await gql(g.url, '{ campaigns { id } }', { authorization: `Bearer ${k}` }), 'campaigns');
    expect(scoped).toEqual({ message: 'Missing required scope: campaigns:read', extensions: { code: 'INSUFFICIENT_SCOPE', status: 403 } });
    const role = refusal(await gql(g.url, '{ adminReport }', { authorization: `Bearer ${k}` }), 'adminReport');
    expect(role.extensions).toEqual({ code: 'INSUFFICIENT_ROLE', status: 403 });
  });

  it('roles on users: a member is refused the admin query, an admin passes', async () => {
    const member = await token('member');
    expect(refusal(await gql(g.url, '{ adminReport }', { authorization: `Bearer ${member}` }), 'adminReport').extensions).toEqual({
      code: 'INSUFFICIENT_ROLE',
      status: 403,
    });
    const admin = await token('admin');
    expect((await gql(g.url, '{ adminReport whoami { kind id role } }', { authorization: `Bearer ${admin}` })).body).toEqual({
      data: { adminReport: 'for admins', whoami: { kind: 'user', id: 'u-admin', role: 'admin' } },
    });
  });

  it('a mutation is guarded by its own scope', async () => {
    const { key: reader } = await key(['campaigns:read']);
    const mutation = 'mutation { createCampaign(name: "Summer") { id name } }';
    expect(refusal(await gql(g.url, mutation, { authorization: `Bearer ${reader}` }), 'createCampaign').extensions).toEqual({
      code: 'INSUFFICIENT_SCOPE',
      status: 403,
    });
    const member = await token('member'); // members write campaigns
    expect((await gql(g.url, mutation, { authorization: `Bearer ${member}` })).body).toEqual({
      data: { createCampaign: { id: 'by-u-member', name: 'Summer' } },
    });
  });

  it('a field resolver is guarded by its own requirement; the rest of the object still answers', async () => {
    const member = await token('member'); // no payouts:write
    const answer = await gql(g.url, '{ campaigns { id payoutAccount } }', { authorization: `Bearer ${member}` });
    expect(answer.body.data).toEqual({ campaigns: [{ id: 'c1', payoutAccount: null }] });
    // (Mercurius gives the list index as a string: "0".)
    expect(answer.body.errors?.map((e) => ({ message: e.message, path: e.path?.map(String), extensions: e.extensions }))).toEqual([
      { message: 'Missing required scope: payouts:write', path: ['campaigns', '0', 'payoutAccount'], extensions: { code: 'INSUFFICIENT_SCOPE', status: 403 } },
    ]);
    const admin = await token('admin');
    expect((await gql(g.url, '{ campaigns { id payoutAccount } }', { authorization: `Bearer ${admin}` })).body).toEqual({
      data: { campaigns: [{ id: 'c1', payoutAccount: 'c1:payouts-of:u-admin' }] },
    });
  });

  it('a revoked key fails on its next call; an expired one is TOKEN_EXPIRED', async () => {
    const { id, key: k } = await key(['campaigns:read']);
    expect((await gql(g.url, '{ campaigns { id } }', { authorization: `Bearer ${k}` })).body.errors).toBeUndefined();
    await g.keys.revoke(id);
    const revoked = refusal(await gql(g.url, '{ campaigns { id } }', { authorization: `Bearer ${k}` }), 'campaigns');
    expect(revoked).toEqual({ message: 'Token is malformed or revoked', extensions: { code: 'TOKEN_INVALID', status: 401 } });

    const expiring = await auditedKey(g.keys, { label: 'short', scopes: ['campaigns:read'], expiresAt: new Date(Date.now() + 600) });
    expect((await gql(g.url, '{ campaigns { id } }', { authorization: `Bearer ${expiring.key}` })).body.errors).toBeUndefined();
    await sleep(700);
    const expired = refusal(await gql(g.url, '{ campaigns { id } }', { authorization: `Bearer ${expiring.key}` }), 'campaigns');
    expect(expired).toEqual({ message: 'Token has expired', extensions: { code: 'TOKEN_EXPIRED', status: 401 } });
  });

  it('a forged token is TOKEN_INVALID; no answer ever contains the credential', async () => {
    const forged = `${await token('admin')}x`;
    const answer = await gql(g.url, '{ campaigns { id } adminReport }', { authorization: `Bearer ${forged}` });
    expect(answer.body.errors?.map((e) => e.extensions)).toEqual([
      { code: 'TOKEN_INVALID', status: 401 },
      { code: 'TOKEN_INVALID', status: 401 },
    ]);
    expect(JSON.stringify(answer.body)).not.toContain(forged.slice(20, 60));
  });
});

describe.each(['apollo-express', 'mercurius-fastify'] as Driver[])('GraphQL on %s: plans and the other format', (driver) => {
  it('a plan not allowed: PAYMENT_REQUIRED, 403; Convertly format: its message, the same code', async () => {
    const g = await startGraphQLApp(driver, 'global', { jwtSecret: SECRET, allowedPlans: ['scale'], errorFormat: 'convertly' });
    try {
      const growth = await auditedPair(g.tokens, { sub: 'u-g', role: 'member', plan: 'growth' });
      const answer = await gql(g.url, '{ campaigns { id } }', { authorization: `Bearer ${growth.access_token}` });
      expect(refusal(answer, 'campaigns').extensions).toEqual({ code: 'PAYMENT_REQUIRED', status: 403 });
      const none = refusal(await gql(g.url, '{ campaigns { id } }'), 'campaigns');
      expect(none).toEqual({ message: 'Authentication required: send Authorization: Bearer <token>', extensions: { code: 'TOKEN_INVALID', status: 401 } });
    } finally {
      await g.close();
    }
  });
});
