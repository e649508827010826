/**
 * GraphQL subscriptions over graphql-ws (the graphql-transport-ws protocol), on Apollo/Express and
 * Mercurius/Fastify: the connection authenticates once, at connect, from
 * `connectionParams.authorization`; a refused connection is closed with 4000 + the HTTP status and
 * the refusal's code; subscription resolvers are guarded (@Scopes, @Roles) and see the principal.
 */
import { secretAudit } from '../support/secret-audit.js';
import { auditedKey, auditedPair } from '../support/audited-credentials.js';
import { gql, startGraphQLApp, WsClient, type Driver, type GraphQLApp } from './support/graphql-app.js';

const SECRET = 'graphql-subscription-secret-0123456789abcdef';
secretAudit.registerSecret(SECRET);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['apollo-express', 'mercurius-fastify'] as Driver[])('GraphQL subscriptions on %s', (driver) => {
  let g: GraphQLApp;
  beforeAll(async () => {
    g = await startGraphQLApp(driver, 'resolver', { jwtSecret: SECRET });
  });
  afterAll(() => g.close());

  const key = (scopes: Parameters<GraphQLApp['keys']['create']>[0]['scopes'], expiresAt?: Date) => auditedKey(g.keys, { label: 'ws', scopes, expiresAt });
  const member = async () => (await auditedPair(g.tokens, { sub: 'u-ws', role: 'member' })).access_token;
  const connect = async (connectionParams?: object, search = '') => {
    const ws = await WsClient.open(g.url, search);
    return { ws, init: await ws.init(connectionParams) };
  };
  const publishSoon = async (name: string) => {
    // The subscription is registered once the feed has a listener.
    for (let i = 0; i < 100 && g.feed.listeners() === 0; i++) await sleep(10);
    const admin = await auditedPair(g.tokens, { sub: 'publisher', role: 'admin' });
    const answer = await gql(g.url, `mutation { createCampaign(name: "${name}") { id } }`, { authorization: `Bearer ${admin.access_token}` });
    expect(answer.body.errors).toBeUndefined();
  };

  it('an API key in connectionParams: acknowledged; a scoped subscription delivers events', async () => {
    const { key: k } = await key(['campaigns:read']);
    const { ws, init } = await connect({ authorization: `Bearer ${k}` });
    try {
      expect(init).toEqual({ type: 'connection_ack' });
      ws.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { campaignCreated { name } }' } });
      await publishSoon('Autumn');
      expect(await ws.next()).toEqual({ id: '1', type: 'next', payload: { data: { campaignCreated: { name: 'Autumn' } } } });
    } finally {
      ws.close();
    }
  });

  it('@CurrentPrincipal() in a subscription resolver is the connection’s principal', async () => {
    const token = await member();
    const { ws, init } = await connect({ authorization: `Bearer ${token}` });
    try {
      expect(init).toEqual({ type: 'connection_ack' });
      ws.send({ id: 'p', type: 'subscribe', payload: { query: 'subscription { campaignNames }' } });
      expect(await ws.next()).toEqual({ id: 'p', type: 'next', payload: { data: { campaignNames: 'hello u-ws' } } });
    } finally {
      ws.close();
    }
  });

  it('the guard checks each subscription: a member is refused an @Roles("admin") one with INSUFFICIENT_ROLE, 403', async () => {
    const token = await member();
    const { ws, init } = await connect({ authorization: `Bearer ${token}` });
    try {
      expect(init).toEqual({ type: 'connection_ack' });
      ws.send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { adminFeed { name } }' } });
      const refused = await ws.next();
      expect(refused).toMatchObject({ id: 'a', type: expect.stringMatching(/^(error|next)$/) });
      const errors = (refused.type === 'error' ? refused.payload : (refused.payload as { errors: unknown[] }).errors) as { extensions?: object }[];
      expect(errors.map((e) => e.extensions)).toEqual([{ code: 'INSUFFICIENT_ROLE', status: 403 }]);
    } finally {
      ws.close();
    }
  });

  it('refused at connect: no credential, another scheme, malformed, forged, revoked, expired — closed with the code', async () => {
    const { id, key: revoked } = await key(['campaigns:read']);
    await g.keys.revoke(id);
    const expiring = await key(['campaigns:read'], new Date(Date.now() + 300));
    await sleep(400);
    const cases: [object | undefined, number, string][] = [
      [undefined, 4401, 'TOKEN_INVALID'],
      [{}, 4401, 'TOKEN_INVALID'],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, 4401, 'TOKEN_INVALID'],
      [{ authorization: 'Bearer' }, 4401, 'TOKEN_INVALID'],
      [{ authorization: 42 }, 4401, 'TOKEN_INVALID'],
      [{ authorization: `Bearer ${await member()}x` }, 4401, 'TOKEN_INVALID'],
      [{ authorization: `Bearer ${revoked}` }, 4401, 'TOKEN_INVALID'],
      [{ authorization: `Bearer ${expiring.key}` }, 4401, 'TOKEN_EXPIRED'],
    ];
    for (const [params, code, reason] of cases) {
      const { ws, init } = await connect(params);
      expect({ params, init }).toEqual({ params, init: { closed: { code, reason } } });
      ws.close();
    }
  });

  it('a token in the WebSocket URL is never read: refused (4400 INVALID_REQUEST), even beside good connectionParams', async () => {
    const { key: k } = await key(['campaigns:read']);
    for (const params of [undefined, { authorization: `Bearer ${k}` }]) {
      const { ws, init } = await connect(params, `?access_token=${k}`);
      expect(init).toEqual({ closed: { code: 4400, reason: 'INVALID_REQUEST' } });
      ws.close();
    }
  });

  it('a key revoked after connect: the next subscription on that connection is refused', async () => {
    const { id, key: k } = await key(['campaigns:read']);
    const { ws, init } = await connect({ authorization: `Bearer ${k}` });
    try {
      expect(init).toEqual({ type: 'connection_ack' });
      await g.keys.revoke(id);
      ws.send({ id: 'r', type: 'subscribe', payload: { query: 'subscription { campaignCreated { name } }' } });
      const refused = await ws.next();
      const errors = (refused.type === 'error' ? refused.payload : (refused.payload as { errors: unknown[] }).errors) as { extensions?: object }[];
      expect(errors.map((e) => e.extensions)).toEqual([{ code: 'TOKEN_INVALID', status: 401 }]);
    } finally {
      ws.close();
    }
  });
});
