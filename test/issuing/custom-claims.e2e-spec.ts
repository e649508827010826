import { CredentialVerifier, type JsonValue, type TokenPair, type UserPrincipal } from '../../lib/index.js';
import { RESERVED_CLAIM_NAMES } from '../../lib/issuing/custom-claims.js';
import { secretAudit } from '../support/secret-audit.js';
import { keep, startTokenApp, type StoreKind, type TokenApp } from '../support/token-app.js';

const SECRET = 'custom-claims-secret-of-32-bytes!!!!';

/** Values a claim might hold that must never show up in an error, a log or an answer other than the principal. */
const PRIVATE = 'private-claim-value-7f3a91';

const CLAIMS = {
  tenant: 'acme',
  seats: 12,
  ratio: 0.25,
  beta: true,
  manager: null,
  tags: ['a', 'b', PRIVATE],
  prefs: { theme: 'dark', 'dark-mode': { since: 2024 }, langs: ['en', 'fr'] },
  'name with spaces': 'ünïcödé €',
} satisfies Record<string, JsonValue>;

describe.each<[string, StoreKind]>([
  ['express', 'in-memory'],
  ['fastify', 'in-memory'],
  ['express', 'redis'],
  ['fastify', 'redis'],
])('custom claims: issue → guard → @CurrentPrincipal() on %s with the %s refresh-token store', (adapter, storeKind) => {
  let t: TokenApp;
  const issue = async (input: Parameters<TokenApp['tokens']['issue']>[0]) => keep(await t.tokens.issue(input));

  beforeAll(async () => {
    t = await startTokenApp(adapter as 'express' | 'fastify', storeKind, { jwtSecret: SECRET });
  });
  afterAll(() => t.close());

  it('come back as principal.claims, exactly as issued', async () => {
    const pair = await issue({ sub: 'usr_c1', role: 'member', plan: 'growth', brandId: 'br_1', claims: CLAIMS });
    const me = (await t.me(pair.access_token).expect(200)).body as UserPrincipal;
    expect(me).toEqual({ kind: 'user', sub: 'usr_c1', role: 'member', plan: 'growth', brandId: 'br_1', scopes: expect.any(Array), claims: CLAIMS });
  });

  it('survive refresh, again and again, and rotateAccessToken', async () => {
    let pair = await issue({ sub: 'usr_c2', role: 'admin', claims: CLAIMS });
    for (let i = 0; i < 2; i++) {
      pair = keep((await t.refresh(pair.refresh_token).expect(200)).body as TokenPair);
      expect((await t.me(pair.access_token).expect(200)).body).toMatchObject({ sub: 'usr_c2', role: 'admin', claims: CLAIMS });
    }
    const rotated = keep((await t.rotate(pair.access_token).expect(200)).body as { access_token: string });
    await t.me(pair.access_token).expect(401);
    expect((await t.me(rotated.access_token).expect(200)).body).toMatchObject({ sub: 'usr_c2', claims: CLAIMS });
    const again = keep((await t.rotate(rotated.access_token).expect(200)).body as { access_token: string });
    expect((await t.me(again.access_token).expect(200)).body).toMatchObject({ claims: CLAIMS });
  });

  it('none issued (absent, undefined or {}): the principal has no claims property, after renewals too', async () => {
    for (const input of [{}, { claims: undefined }, { claims: {} }]) {
      const pair = await issue({ sub: 'usr_c3', role: 'member', ...input });
      expect((await t.me(pair.access_token).expect(200)).body).not.toHaveProperty('claims');
      const next = keep((await t.refresh(pair.refresh_token).expect(200)).body as TokenPair);
      expect((await t.me(next.access_token).expect(200)).body).not.toHaveProperty('claims');
      const rotated = keep((await t.rotate(next.access_token).expect(200)).body as { access_token: string });
      expect((await t.me(rotated.access_token).expect(200)).body).not.toHaveProperty('claims');
    }
  });

  it('the largest allowed claims (4096 bytes of JSON, multi-byte) pass the guard and survive a refresh', async () => {
    const claims = claimsOfBytes(4096, '€');
    const pair = await issue({ sub: 'usr_c4', role: 'member', plan: 'scale', brandId: 'br_4', claims });
    expect((await t.me(pair.access_token).expect(200)).body).toMatchObject({ claims });
    const next = keep((await t.refresh(pair.refresh_token).expect(200)).body as TokenPair);
    expect((await t.me(next.access_token).expect(200)).body).toMatchObject({ claims });
  });

  it('a cached credential gives the same principal, claims included, deep-frozen', async () => {
    const verifier = t.app.get(CredentialVerifier);
    const pair = await issue({ sub: 'usr_c5', role: 'member', claims: CLAIMS });
    const first = await verifier.verify(pair.access_token);
    expect(verifier.cached(pair.access_token)).toBeDefined(); // the second look is the cache's
    const second = await verifier.verify(pair.access_token);
    for (const v of [first, second]) {
      expect(v).toEqual({ ok: true, principal: expect.objectContaining({ sub: 'usr_c5', claims: CLAIMS }) });
      const claims = (v as { principal: UserPrincipal }).principal.claims!;
      expect(deeplyFrozen(claims)).toBe(true);
      expect(() => ((claims as Record<string, JsonValue>).tenant = 'other')).toThrow(TypeError);
      expect(() => (claims.tags as JsonValue[]).push('x')).toThrow(TypeError);
    }
    expect((await t.me(pair.access_token).expect(200)).body).toMatchObject({ claims: CLAIMS });
    expect((await t.me(pair.access_token).expect(200)).body).toMatchObject({ claims: CLAIMS });
  });
});

describe('TokenService.issue() refuses claims that are not JSON, not ours to give, or too large', () => {
  let t: TokenApp;
  beforeAll(async () => {
    t = await startTokenApp('express', 'in-memory', { jwtSecret: SECRET });
    secretAudit.registerSecret(PRIVATE);
  });
  afterAll(() => t.close());

  /** The TypeError issue() rejects with; recorded with the secret audit, which fails the file if PRIVATE shows. */
  async function refusal(claims: unknown): Promise<TypeError> {
    const error = await t.tokens.issue({ sub: 'usr_x', role: 'member', claims: claims as Record<string, JsonValue> }).then(
      (pair) => {
        keep(pair);
        throw new Error('issued, expected a TypeError');
      },
      (e: unknown) => e,
    );
    secretAudit.recordError('TokenService.issue() refusal', error);
    expect(error).toBeInstanceOf(TypeError);
    const message = (error as TypeError).message;
    expect(message).toMatch(/^TokenService\.issue\(\): /);
    expect(message).not.toContain(PRIVATE);
    return error as TypeError;
  }

  const RESERVED = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'typ', 'role', 'plan', 'brandId', 'fam', 'auth_time', 'scope', 'scopes'];

  it('the reserved names are the registered JWT claims, every claim our tokens carry, and scope/scopes', () => {
    expect([...RESERVED_CLAIM_NAMES].sort()).toEqual([...RESERVED].sort());
  });

  it.each(RESERVED)('reserved: claims.%s', async (name) => {
    const e = await refusal({ tenant: 'acme', [name]: PRIVATE });
    expect(e.message).toContain(`claims.${name} is a reserved claim name`);
  });

  const notJson: [string, () => unknown, string][] = [
    ['undefined', () => ({ a: undefined }), 'claims.a is undefined'],
    ['a function', () => ({ a: () => PRIVATE }), 'claims.a is a function'],
    ['NaN', () => ({ a: NaN }), 'claims.a is a number that is not finite'],
    ['Infinity', () => ({ a: Infinity }), 'claims.a is a number that is not finite'],
    ['-Infinity in an array', () => ({ a: [1, -Infinity] }), 'claims.a[1] is a number that is not finite'],
    ['a Date', () => ({ a: new Date() }), 'claims.a is an instance of Date'],
    ['a bigint', () => ({ a: 10n }), 'claims.a is a bigint'],
    ['a symbol', () => ({ a: Symbol(PRIVATE) }), 'claims.a is a symbol'],
    ['a Map', () => ({ a: new Map([['k', PRIVATE]]) }), 'claims.a is an instance of Map'],
    ['a Set', () => ({ nested: { deeper: new Set([PRIVATE]) } }), 'claims.nested.deeper is an instance of Set'],
    ['a class instance', () => ({ a: new (class Account {})() }), 'claims.a is an instance of Account'],
    ['a Buffer', () => ({ a: Buffer.from(PRIVATE) }), 'claims.a is an instance of Buffer'],
    ['a cycle', () => cycle(), 'claims.a.self refers back to an object that contains it (a cycle)'],
    ['a cycle through an array', () => arrayCycle(), 'claims.list[1] refers back'],
    ['a hole in an array', () => ({ list: sparse() }), 'claims.list[1] is a hole in the array'],
    ['undefined deep down', () => ({ prefs: { 'dark-mode': { on: undefined } } }), 'claims.prefs["dark-mode"].on is undefined'],
    ['symbol keys', () => ({ a: { [Symbol('k')]: PRIVATE } }), 'claims.a has symbol keys'],
    ['a lone surrogate', () => ({ a: `${PRIVATE}\uD800` }), 'claims.a is a string with a lone surrogate'],
    ['a "__proto__" key', () => ({ a: JSON.parse(`{"__proto__":{"x":"${PRIVATE}"}}`) as unknown }), 'claims.a.__proto__ is not allowed as a key'],
    ['claims that are an array', () => [PRIVATE], 'claims must be a plain object of JSON values'],
    ['claims that are a string', () => PRIVATE, 'claims must be a plain object of JSON values'],
    ['claims that are null', () => null, 'claims must be a plain object of JSON values'],
    ['claims that are a Map', () => new Map([['a', PRIVATE]]), 'claims must be a plain object of JSON values'],
  ];

  it.each(notJson)('not JSON: %s', async (_name, claims, message) => {
    expect((await refusal(claims())).message).toContain(message);
  });

  it('a shared (not cyclic) object is fine, and so is an object without a prototype', async () => {
    const shared = { k: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, JsonValue>, { x: 'y' });
    const pair = keep(await t.tokens.issue({ sub: 'usr_y', role: 'member', claims: { a: shared, b: [shared, shared], bare } }));
    expect((await t.me(pair.access_token).expect(200)).body).toMatchObject({ claims: { a: { k: 1 }, b: [{ k: 1 }, { k: 1 }], bare: { x: 'y' } } });
  });

  it('nesting deeper than 4096 bytes could hold: a TypeError, not a stack overflow', async () => {
    let deep: JsonValue = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect((await refusal({ deep })).message).toContain('claims nest deeper than 4096 bytes of JSON can hold');
  });

  it.each([
    ['ASCII', 'a'],
    ['2-byte é', 'é'],
    ['3-byte €', '€'],
    ['4-byte emoji', '🔑'],
    ['escaped newline (2 bytes as JSON)', '\n'],
  ])('size, counted in UTF-8 bytes of JSON (%s): 4096 issued, 4097 refused', async (_name, unit) => {
    const fits = claimsOfBytes(4096, unit);
    expect(Buffer.byteLength(JSON.stringify(fits))).toBe(4096);
    const pair = keep(await t.tokens.issue({ sub: 'usr_z', role: 'member', claims: fits }));
    expect((await t.me(pair.access_token).expect(200)).body).toMatchObject({ claims: fits });

    const over = claimsOfBytes(4097, unit);
    // Multi-byte: a count of characters would let it through. Escapes: a count of the value's own bytes would.
    if (Buffer.byteLength(unit) > 1) expect(JSON.stringify(over).length).toBeLessThan(4097);
    else if (unit !== 'a') expect(Buffer.byteLength(over.note)).toBeLessThan(4097 - 11);
    expect((await refusal(over)).message).toBe('TokenService.issue(): claims are 4097 bytes as JSON (UTF-8); at most 4096 are allowed');
  });

  it('claims that fit, with a sub so long that the token would exceed what the guard reads: refused, not issued unreadable', async () => {
    const sub = `usr_${PRIVATE}_${'s'.repeat(3000)}`;
    const error = await t.tokens.issue({ sub, role: 'member', claims: claimsOfBytes(4096, 'a') }).catch((e: unknown) => e);
    secretAudit.recordError('TokenService.issue() refusal', error);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^TokenService\.issue\(\): the access token would be \d+ characters, more than the 8192 the guard reads/);
    expect((error as Error).message).not.toContain(PRIVATE);
  });

  it('claims are copied at issue(): changing the object afterwards changes nothing', async () => {
    const claims = { tier: 'gold', list: ['x'] };
    const pair = keep(await t.tokens.issue({ sub: 'usr_w', role: 'member', claims }));
    claims.tier = 'lead';
    claims.list.push('y');
    expect((await t.me(pair.access_token).expect(200)).body).toMatchObject({ claims: { tier: 'gold', list: ['x'] } });
  });
});

/** `{ note: '…' }` whose JSON is exactly `bytes` UTF-8 bytes, mostly `unit`, padded with ASCII. */
function claimsOfBytes(bytes: number, unit: string): Record<string, string> {
  const overhead = Buffer.byteLength(JSON.stringify({ note: '' }));
  const unitBytes = Buffer.byteLength(JSON.stringify(unit)) - 2;
  const room = bytes - overhead;
  const note = unit.repeat(Math.floor(room / unitBytes)) + 'a'.repeat(room % unitBytes);
  return { note };
}

function cycle(): unknown {
  const a: Record<string, unknown> = { secret: PRIVATE };
  a.self = a;
  return { a };
}

/** `[PRIVATE, <hole>, 'x']`: JSON.stringify would quietly write the hole as null. */
function sparse(): unknown[] {
  const list: unknown[] = new Array(3);
  list[0] = PRIVATE;
  list[2] = 'x';
  return list;
}

function arrayCycle(): unknown {
  const list: unknown[] = [PRIVATE];
  list.push(list);
  return { list };
}

function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}
