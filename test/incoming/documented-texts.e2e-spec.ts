/**
 * The words each provider documents for an expired token: Affilync's auth page shows
 * `{"detail": "Token has expired", "error_code": "TOKEN_EXPIRED"}`, Convertly's
 * `{"statusCode": 401, "message": "Token expired", "error": "Unauthorized"}`. Our answers in each
 * format use that provider's words, from the guard and from TokenService alike.
 */
import { ProviderAuthException } from '../../lib/index.js';
import { JWT_SECRET } from './support/credential-cases.js';
import { RouteGuarded, send, startApp, type AdapterName, type Fixture } from './support/incoming-app.js';
import { accessClaims, forge, nowSec } from './support/token-forge.js';
import { secretAudit } from '../support/secret-audit.js';

const EXPIRED_BODY = {
  affilync: { detail: 'Token has expired', error_code: 'TOKEN_EXPIRED', status: 401 },
  convertly: { statusCode: 401, message: 'Token expired', error: 'Unauthorized' },
};

describe.each([
  ['express', 'affilync'],
  ['fastify', 'affilync'],
  ['express', 'convertly'],
  ['fastify', 'convertly'],
] as [AdapterName, 'affilync' | 'convertly'][])('an expired token on %s, %s format', (adapter, errorFormat) => {
  let f: Fixture;
  beforeAll(async () => {
    secretAudit.registerSecret(JWT_SECRET);
    f = await startApp(adapter, { jwtSecret: JWT_SECRET, errorFormat }, [RouteGuarded]);
  });
  afterAll(() => f.app.close());

  const expired = () => {
    const token = forge(accessClaims({ iat: nowSec() - 120, exp: nowSec() - 60 }), { secret: JWT_SECRET });
    secretAudit.registerSecret(token);
    return token;
  };

  it("the guard answers in the provider's documented words", async () => {
    const answer = await send(f.server(), { path: '/g/auth', authorization: `Bearer ${expired()}` });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: EXPIRED_BODY[errorFormat] });
  });

  it('TokenService.rotateAccessToken() throws the same answer', async () => {
    const thrown = await f.tokens.rotateAccessToken(expired()).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ProviderAuthException);
    expect((thrown as ProviderAuthException).getResponse()).toEqual(EXPIRED_BODY[errorFormat]);
  });
});
