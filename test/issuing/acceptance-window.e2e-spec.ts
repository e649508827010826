import { jest } from '@jest/globals';
import type { TokenPair, TokenService } from '../../lib/index.js';
import { payloadOf } from '../incoming/support/token-forge.js';
import { keep, startTokenApp, type TokenApp } from '../support/token-app.js';

/**
 * jsonwebtoken accepts a token until the second exp + clockToleranceSec. A revocation or a
 * used-marker that ends at exp leaves a window in which a dead credential works again: these
 * tests present each one inside that window, after its exp, against both stores.
 */
const SECRET = 'acceptance-window-secret-of-32-bytes!';
const TOLERANCE_SEC = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until 300 ms past the token's exp: expired by the clock, still inside the tolerance. */
async function pastExpiry(token: string): Promise<void> {
  const expMs = (payloadOf(token).exp as number) * 1000;
  await sleep(Math.max(0, expMs + 300 - Date.now()));
  expect(Date.now()).toBeLessThan(expMs + TOLERANCE_SEC * 1000 - 1_000);
}

describe.each([
  ['in-memory', 'express'],
  ['in-memory', 'fastify'],
  ['redis', 'express'],
  ['redis', 'fastify'],
] as const)('a dead credential stays dead until the end of its clock tolerance (%s store, %s)', (storeKind, adapter) => {
  let t: TokenApp;
  let tokens: TokenService;
  const me = (token: string) => t.me(token);
  const rotate = (token: string) => t.rotate(token);
  const refresh = (token: string) => t.refresh(token);

  beforeAll(async () => {
    t = await startTokenApp(adapter, storeKind, { jwtSecret: SECRET, accessTokenTtlSec: 1, refreshTokenTtlSec: 60, clockToleranceSec: TOLERANCE_SEC });
    tokens = t.tokens;
  });
  afterAll(() => t?.close());

  it('a revoked access token presented after its exp, inside the tolerance: 401', async () => {
    const pair = keep(await tokens.issue({ sub: 'aw1', role: 'member' }));
    await me(pair.access_token).expect(200);
    await expect(tokens.revokeAccessToken(pair.access_token)).resolves.toBe(true);
    await me(pair.access_token).expect(401);

    await pastExpiry(pair.access_token);
    const late = await me(pair.access_token);
    expect({ status: late.status, code: late.body.error_code }).toEqual({ status: 401, code: 'TOKEN_INVALID' });
  });

  it('an access token rotated away, presented or rotated again after its exp inside the tolerance: refused', async () => {
    const pair = keep(await tokens.issue({ sub: 'aw2', role: 'member' }));
    keep((await rotate(pair.access_token).expect(200)).body);
    await me(pair.access_token).expect(401);

    await pastExpiry(pair.access_token);
    const late = await me(pair.access_token);
    expect({ status: late.status, code: late.body.error_code }).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    const again = await rotate(pair.access_token);
    if (again.status === 200) keep(again.body);
    expect({ status: again.status, code: again.body.error_code }).toEqual({ status: 401, code: 'TOKEN_INVALID' });
  });

  it('a used refresh token replayed after its exp inside the tolerance: refused, and its family dies', async () => {
    // Issue the refresh token 59 s in the past, so that its 60 s lifetime ends about 1 s from now
    // (right after a second boundary, so that the first refresh has that second to run in).
    await sleep(1_010 - (Date.now() % 1_000));
    const realNow = Date.now;
    const shifted = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 59_000);
    let first: TokenPair;
    try {
      first = keep(await tokens.issue({ sub: 'aw3', role: 'admin' }));
    } finally {
      shifted.mockRestore();
    }
    const second = keep((await refresh(first.refresh_token).expect(200)).body as TokenPair);
    await me(second.access_token).expect(200);

    await pastExpiry(first.refresh_token);
    const replay = await refresh(first.refresh_token);
    if (replay.status === 200) keep(replay.body);
    expect({ status: replay.status, code: replay.body.error_code }).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    // The replay revoked the family: the pair the first refresh gave out is dead too.
    await me(second.access_token).expect(401);
    const next = await refresh(second.refresh_token);
    if (next.status === 200) keep(next.body);
    expect(next.status).toBe(401);
  });
});
