import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { jest } from '@jest/globals';
import jsonwebtoken from 'jsonwebtoken';
import { Hs256Jwt, loadHs256Jwt, MAX_CREDENTIAL_CHARS } from './hs256-jwt.js';

const TOLERANCE = 5;
const SECRET = createSecretKey(Buffer.from('hs256-spec-secret-of-at-least-32-bytes!'));
const OTHER = createSecretKey(Buffer.from('hs256-spec-another-secret-32-bytes-long'));
// Half a second into a second: jsonwebtoken and we both count whole seconds (floor).
const NOW_MS = Date.UTC(2026, 5, 1, 12, 0, 0, 500);
const NOW = Math.floor(NOW_MS / 1000);

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const hmac = (key: KeyObject, input: string) => createHmac('sha256', key).update(input).digest('base64url');

/** A token with exactly these header and payload bytes, HMAC-SHA256-signed with `key`. */
function forge(header: unknown, payload: unknown, key: KeyObject = SECRET): string {
  const h = typeof header === 'string' || Buffer.isBuffer(header) ? b64u(header) : b64u(JSON.stringify(header));
  const p = typeof payload === 'string' || Buffer.isBuffer(payload) ? b64u(payload) : b64u(JSON.stringify(payload));
  return `${h}.${p}.${hmac(key, `${h}.${p}`)}`;
}

const HEADER = { alg: 'HS256', typ: 'JWT' };
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'u1', typ: 'access', jti: 'j1', iat: NOW, exp: NOW + 600, ...extra });

/** jsonwebtoken's verdict with the options JwtService used: 'ok', 'expired' or 'refused'. */
function reference(token: string, key: KeyObject = SECRET): 'ok' | 'expired' | 'refused' {
  try {
    jsonwebtoken.verify(token, key, { algorithms: ['HS256'], clockTolerance: TOLERANCE });
    return 'ok';
  } catch (error) {
    return (error as Error).name === 'TokenExpiredError' ? 'expired' : 'refused';
  }
}

function ours(jwt: Hs256Jwt, token: string): 'ok' | 'expired' | 'refused' {
  const verdict = jwt.check(token);
  return verdict.ok ? 'ok' : verdict.expired ? 'expired' : 'refused';
}

let single: Hs256Jwt;
let rotated: Hs256Jwt;

beforeAll(async () => {
  single = await loadHs256Jwt(SECRET, TOLERANCE);
  rotated = await loadHs256Jwt(
    [
      { kid: 'new', key: SECRET },
      { kid: 'old', key: OTHER },
    ],
    TOLERANCE,
  );
});
beforeEach(() => jest.useFakeTimers({ now: NOW_MS }));
afterEach(() => jest.useRealTimers());

describe('Hs256Jwt accepts', () => {
  it('what it signs (through @nestjs/jwt), with the payload as signed', () => {
    const token = single.sign({ sub: 'u1', typ: 'access', jti: 'j1', role: 'member' }, 600);
    const verdict = single.check(token);
    expect(verdict).toEqual({ ok: true, payload: { sub: 'u1', typ: 'access', jti: 'j1', role: 'member', iat: NOW, exp: NOW + 600 } });
    expect(single.verify(token)).toEqual({ sub: 'u1', typ: 'access', jti: 'j1', role: 'member', iat: NOW, exp: NOW + 600 });
  });

  it('what jsonwebtoken signs with the same secret, with or without typ, kid or nbf in reach', () => {
    for (const token of [
      jsonwebtoken.sign(claims(), SECRET, { algorithm: 'HS256' }),
      jsonwebtoken.sign(claims(), SECRET, { algorithm: 'HS256', noTimestamp: true }),
      jsonwebtoken.sign(claims({ nbf: NOW + TOLERANCE }), SECRET, { algorithm: 'HS256', keyid: 'whatever' }),
      forge({ alg: 'HS256' }, claims()),
      forge({ alg: 'HS256', typ: 'JWT', kid: 'x', cty: 'y' }, { ...claims(), name: 'Zoë ☃ 😀' }),
    ]) {
      expect(reference(token)).toBe('ok');
      expect(single.check(token).ok).toBe(true);
    }
  });

  it('exp within the clock tolerance, nbf within it', () => {
    expect(single.check(forge(HEADER, claims({ exp: NOW - TOLERANCE + 1 }))).ok).toBe(true);
    expect(single.check(forge(HEADER, claims({ nbf: NOW + TOLERANCE }))).ok).toBe(true);
  });

  it('with ignoreExpiration, an expired token of ours (what TokenService reads to revoke one)', () => {
    const token = forge(HEADER, claims({ exp: NOW - 3600 }));
    expect(single.check(token, true).ok).toBe(true);
    expect(single.verify(token, { ignoreExpiration: true })).toMatchObject({ exp: NOW - 3600 });
  });
});

describe('Hs256Jwt refuses', () => {
  const cases: [string, () => string][] = [
    ['a wrong signature', () => forge(HEADER, claims()).slice(0, -4) + 'AAAA'],
    ['the signature of another secret', () => forge(HEADER, claims(), OTHER)],
    ['alg none, unsigned', () => `${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(claims()))}.`],
    ['alg none, signed anyway', () => forge({ alg: 'none' }, claims())],
    ['alg HS512 in the header', () => forge({ alg: 'HS512' }, claims())],
    ['alg HS384 with a real HS384 signature', () => jsonwebtoken.sign(claims(), SECRET, { algorithm: 'HS384' })],
    ['alg RS256 in the header', () => forge({ alg: 'RS256' }, claims())],
    ['alg spelt "hs256"', () => forge({ alg: 'hs256' }, claims())],
    ['no alg', () => forge({ typ: 'JWT' }, claims())],
    ['a crit header', () => forge({ alg: 'HS256', crit: ['exp'] }, claims())],
    ['an empty crit header', () => forge({ alg: 'HS256', crit: [] }, claims())],
    ['no exp', () => forge(HEADER, { sub: 'u1', typ: 'access', jti: 'j1', iat: NOW })],
    ['exp as a string', () => forge(HEADER, claims({ exp: String(NOW + 600) }))],
    ['exp as null', () => forge(HEADER, claims({ exp: null }))],
    ['exp beyond any number (1e999 reads as Infinity)', () => forge(HEADER, `{"sub":"u1","exp":1e999}`)],
    ['nbf in the future beyond the tolerance', () => forge(HEADER, claims({ nbf: NOW + TOLERANCE + 1 }))],
    ['nbf as a string', () => forge(HEADER, claims({ nbf: String(NOW) }))],
    ['a payload that is an array', () => forge(HEADER, [claims()])],
    ['a payload that is a string', () => forge(HEADER, JSON.stringify('hello'))],
    ['a payload that is a number', () => forge(HEADER, '42')],
    ['a payload that is null', () => forge(HEADER, 'null')],
    ['a payload that is not JSON', () => forge(HEADER, '{sub: u1}')],
    ['a header that is not JSON', () => forge('{alg: HS256}', claims())],
    ['a header that is an array', () => forge([HEADER], claims())],
    [
      'a payload that is not UTF-8',
      () => forge(HEADER, Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xff, 0xfe]), Buffer.from(`","exp":${NOW + 600}}`)])),
    ],
    ['a header that is not UTF-8', () => forge(Buffer.concat([Buffer.from('{"alg":"HS256","x":"'), Buffer.from([0xc3]), Buffer.from('"}')]), claims())],
    ['a payload led by a byte-order mark', () => forge(HEADER, `\uFEFF${JSON.stringify(claims())}`)],
    ['base64 padding on a segment', () => padded(forge(HEADER, claims()))],
    [
      'the standard base64 alphabet (+ and /)',
      () =>
        forge(HEADER, claims({ x: '>>>???' }))
          .replace(/-/g, '+')
          .replace(/_/g, '/'),
    ],
    ['a segment of 4n+1 characters, signed (a base64 decoder drops the last one)', () => signed(b64u(JSON.stringify(HEADER)), oneCharTooMany(claims()))],
    ['a non-canonical spelling of the right signature', () => nonCanonicalSignature(forge(HEADER, claims()))],
    ['a fourth segment', () => `${forge(HEADER, claims())}.${b64u('x')}`],
    ['two segments', () => forge(HEADER, claims()).split('.').slice(0, 2).join('.')],
    ['an empty header', () => `.${forge(HEADER, claims()).split('.').slice(1).join('.')}`],
    ['a signature truncated by one character', () => forge(HEADER, claims()).slice(0, -1)],
    ['whitespace around the token', () => ` ${forge(HEADER, claims())}\n`],
    ['a token longer than the guard reads', () => forge(HEADER, claims({ pad: 'x'.repeat(MAX_CREDENTIAL_CHARS) }))],
    ['the empty string', () => ''],
  ];

  it.each(cases)('%s', (_name, make) => {
    const token = make();
    expect(single.check(token)).toEqual({ ok: false, expired: false });
    expect(() => single.verify(token)).toThrow('invalid token');
    let thrown: unknown;
    try {
      single.verify(token);
    } catch (error) {
      thrown = error;
    }
    expect(Hs256Jwt.isExpiry(thrown)).toBe(false);
  });

  it('a token expired beyond the tolerance, as an expiry (TOKEN_EXPIRED), never quoting jsonwebtoken', () => {
    const token = forge(HEADER, claims({ exp: NOW - TOLERANCE }));
    expect(reference(token)).toBe('expired');
    expect(single.check(token)).toEqual({ ok: false, expired: true });
    let thrown: unknown;
    try {
      single.verify(token);
    } catch (error) {
      thrown = error;
    }
    expect(Hs256Jwt.isExpiry(thrown)).toBe(true);
    expect(String((thrown as Error).message)).not.toMatch(/jwt/i);
  });

  it('a forged expired token as invalid, not expired (the signature is checked first)', () => {
    expect(single.check(forge(HEADER, claims({ exp: NOW - 3600 }), OTHER))).toEqual({ ok: false, expired: false });
  });

  it('nbf in the future before a past exp: not-yet-valid wins, as in jsonwebtoken (invalid, not expired)', () => {
    const token = forge(HEADER, claims({ nbf: NOW + 3600, exp: NOW - 3600 }));
    expect(reference(token)).toBe('refused');
    expect(single.check(token)).toEqual({ ok: false, expired: false });
  });

  it('only the error of an expiry counts as one', () => {
    expect(Hs256Jwt.isExpiry(new Error('jwt expired'))).toBe(false);
    expect(Hs256Jwt.isExpiry(Object.assign(new Error('jwt expired'), { name: 'TokenExpiredError' }))).toBe(false);
  });
});

describe('Hs256Jwt with a list of { kid, secret }', () => {
  it('signs with the first secret and names its kid', () => {
    const token = rotated.sign({ sub: 'u1' }, 600);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'new' });
    expect(rotated.check(token).ok).toBe(true);
    expect(single.check(token).ok).toBe(true); // a single secret ignores kid
  });

  it('a kid picks its one secret: right kid accepted, the other kid refused, even when that secret is configured', () => {
    expect(rotated.check(forge({ alg: 'HS256', kid: 'old' }, claims(), OTHER)).ok).toBe(true);
    expect(rotated.check(forge({ alg: 'HS256', kid: 'new' }, claims(), OTHER)).ok).toBe(false);
    expect(rotated.check(forge({ alg: 'HS256', kid: 'old' }, claims(), SECRET)).ok).toBe(false);
  });

  it('an unknown kid, or a kid that is not a string, is refused whatever signed it', () => {
    for (const kid of ['gone', '', 1, null, ['new'], { kid: 'new' }]) {
      expect(rotated.check(forge({ alg: 'HS256', kid }, claims(), SECRET)).ok).toBe(false);
      expect(rotated.check(forge({ alg: 'HS256', kid }, claims(), OTHER)).ok).toBe(false);
    }
  });

  it('no kid: whichever configured secret signed it, and no other', () => {
    expect(rotated.check(forge({ alg: 'HS256' }, claims(), SECRET)).ok).toBe(true);
    expect(rotated.check(forge({ alg: 'HS256' }, claims(), OTHER)).ok).toBe(true);
    const stranger = createSecretKey(Buffer.from('a-stranger-secret-that-is-32-bytes-long!'));
    expect(rotated.check(forge({ alg: 'HS256' }, claims(), stranger)).ok).toBe(false);
  });

  it('no kid and expired under the second secret: an expiry, as before the list', () => {
    expect(rotated.check(forge({ alg: 'HS256' }, claims({ exp: NOW - 3600 }), OTHER))).toEqual({ ok: false, expired: true });
  });
});

describe('Hs256Jwt against jsonwebtoken, over generated tokens', () => {
  /** Seeded, so a failure can be replayed. */
  function prng(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const random = prng(18);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

  const headers: unknown[] = [
    { alg: 'HS256', typ: 'JWT' },
    { alg: 'HS256' },
    { alg: 'HS256', typ: 'jwt' },
    { alg: 'HS256', kid: 'new' },
    { alg: 'HS256', kid: 'old' },
    { alg: 'HS256', kid: 'gone' },
    { alg: 'HS256', crit: ['b64'] },
    { alg: 'HS512', typ: 'JWT' },
    { alg: 'none', typ: 'JWT' },
    { alg: 'RS256' },
    { alg: ['HS256'] },
    { typ: 'JWT' },
    '{"alg":"none","alg":"HS256"}',
    '{"alg":"HS256","alg":"none"}',
    ' {"alg":"HS256"} ',
    '"HS256"',
    '[]',
    'null',
    '{"alg":"HS256"',
    Buffer.from([0x7b, 0x22, 0x61, 0x6c, 0x67, 0x22, 0x3a, 0x22, 0x48, 0x53, 0x32, 0x35, 0x36, 0x22, 0x2c, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]),
  ];
  const times = [undefined, NOW - 3600, NOW - TOLERANCE - 1, NOW - TOLERANCE, NOW - TOLERANCE + 1, NOW, NOW + TOLERANCE, NOW + TOLERANCE + 1, NOW + 3600];
  const weird = [null, 'soon', '1', true, [], {}, Number.MAX_VALUE, -Number.MAX_VALUE, 0.5];
  const time = () => (random() < 0.85 ? pick(times) : pick(weird));
  const payload = (): unknown => {
    const r = random();
    if (r < 0.04) return pick(['[]', '"x"', '1', 'null', 'true', '{', '', ' ', '\uFEFF{}']);
    if (r < 0.07) return Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0x80 + Math.floor(random() * 0x80)]), Buffer.from(`","exp":${NOW + 60}}`)]);
    const p: Record<string, unknown> = { sub: `u${Math.floor(random() * 1e6)}`, typ: 'access', jti: 'j', iat: NOW };
    const exp = random() < 0.9 ? time() : undefined;
    if (exp !== undefined) p.exp = exp;
    if (random() < 0.4) {
      const nbf = time();
      if (nbf !== undefined) p.nbf = nbf;
    }
    if (random() < 0.2) p.name = pick(['Zoë', '☃', '😀', '\u0000', '"']);
    return p;
  };
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const NOISE = [...ALPHABET, '+', '/', '=', '.', ' ', '\n', '%', 'é'];
  const mutate = (token: string): string => {
    const r = random();
    const at = Math.floor(random() * token.length);
    if (r < 0.3) return token.slice(0, at) + pick(NOISE) + token.slice(at + 1);
    if (r < 0.45) return token.slice(0, at) + pick(NOISE) + token.slice(at);
    if (r < 0.55) return token.slice(0, at) + token.slice(at + 1);
    if (r < 0.65) return padded(token);
    if (r < 0.72) return token.split('.')[2]?.length === 43 ? nonCanonicalSignature(token) : token;
    if (r < 0.8) return `${token}${pick(['.', '.x', '=', '==', ' '])}`;
    if (r < 0.9) {
      // Another token's signature: header and payload of one, signature of another.
      const [h, p] = token.split('.');
      return `${h}.${p}.${forge(HEADER, payload()).split('.')[2]}`;
    }
    return token.split('.').reverse().join('.');
  };

  it('never accepts what jsonwebtoken refuses; expiries are expiries; disagreements are only our documented extra rules', () => {
    const tally = { tokens: 0, bothOk: 0, bothRefused: 0, oursStricter: 0 };
    for (let i = 0; i < 6_000; i++) {
      const key = random() < 0.85 ? SECRET : OTHER;
      let token = forge(pick(headers), payload(), key);
      if (random() < 0.4) token = mutate(token);
      if (random() < 0.1) token = mutate(token);
      for (const [jwt, theirs] of [
        [single, reference(token)],
        // With a list, jsonwebtoken's verdict is the best over every configured secret.
        [rotated, best(reference(token, SECRET), reference(token, OTHER))],
      ] as const) {
        tally.tokens++;
        const mine = ours(jwt, token);
        const context = `token ${JSON.stringify(token)}: ours ${mine}, jsonwebtoken ${theirs}`;
        if (mine === 'ok') expect(`${theirs} (${context})`).toBe(`ok (${context})`);
        if (mine === 'expired') expect(`${theirs} (${context})`).toBe(`expired (${context})`);
        if (mine === theirs) tally[mine === 'ok' ? 'bothOk' : 'bothRefused']++;
        else {
          tally.oursStricter++;
          // A stricter answer must come from a rule jsonwebtoken lacks (the kid rule only with a list).
          expect(`${ourExtraRule(token, jwt === rotated)} (${context})`).not.toBe(`none (${context})`);
        }
      }
    }
    // The generator reaches every outcome, or the comparison proves little.
    expect(tally.bothOk).toBeGreaterThan(500);
    expect(tally.bothRefused).toBeGreaterThan(5_000);
    expect(tally.oursStricter).toBeGreaterThan(500);
  });

  it('accepts every token jsonwebtoken accepts that breaks none of our extra rules (valid tokens are not lost)', () => {
    for (let i = 0; i < 1_000; i++) {
      const token = jsonwebtoken.sign({ sub: `u${i}`, role: pick(['admin', 'member']), n: random() }, SECRET, {
        algorithm: 'HS256',
        expiresIn: 1 + Math.floor(random() * 86_400),
        ...(random() < 0.5 && { notBefore: -Math.floor(random() * 60) }),
        ...(random() < 0.3 && { keyid: 'new' }),
      });
      expect(reference(token)).toBe('ok');
      expect(ours(single, token)).toBe('ok');
      expect(ours(rotated, token)).toBe('ok'); // kid 'new' names this secret; no kid tries each
    }
  });
});

function best(a: 'ok' | 'expired' | 'refused', b: 'ok' | 'expired' | 'refused'): 'ok' | 'expired' | 'refused' {
  return a === 'ok' || b === 'ok' ? 'ok' : a === 'expired' || b === 'expired' ? 'expired' : 'refused';
}

/**
 * Which of our documented rules beyond jsonwebtoken's a token breaks ('none' when it breaks none),
 * read independently of the code under test.
 */
function ourExtraRule(token: string, withKids: boolean): string {
  if (token.length > MAX_CREDENTIAL_CHARS) return 'too long';
  const parts = token.split('.');
  if (parts.length !== 3) return 'none';
  if (parts.slice(0, 2).some((s) => s.length % 4 === 1)) return 'a segment of 4n+1 characters';
  const decoded = parts.slice(0, 2).map((s) => Buffer.from(s, 'base64'));
  for (const b of decoded) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return 'not UTF-8';
    }
  }
  const header = parseJson(decoded[0].toString('utf8'));
  if (isObject(header) && Object.hasOwn(header, 'crit')) return 'crit';
  if (withKids && isObject(header) && Object.hasOwn(header, 'kid')) return 'kid picks its one secret';
  const payload = parseJson(decoded[1].toString('utf8'));
  if (!isObject(payload)) return 'payload not an object';
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return 'exp required and finite';
  return 'none';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** header.payload (base64url as given) signed with `key`. */
function signed(header: string, payload: string, key: KeyObject = SECRET): string {
  return `${header}.${payload}.${hmac(key, `${header}.${payload}`)}`;
}

/** The payload's base64url with one character too many (4n+1): decoders drop it and read the same claims. */
function oneCharTooMany(payload: Record<string, unknown>): string {
  for (let pad = ''; ; pad += ' ') {
    const encoded = b64u(JSON.stringify(payload) + pad);
    if (encoded.length % 4 === 0) return `${encoded}A`;
  }
}

/** The token with `=` padding on its payload segment (as standard base64 would have it). */
function padded(token: string): string {
  return withPayload(token, (p) => p + '='.repeat((4 - (p.length % 4)) % 4 || 1));
}

function withPayload(token: string, change: (payload: string) => string): string {
  const [h, p, s] = token.split('.');
  return `${h}.${change(p)}.${s}`;
}

/**
 * The same 32 signature bytes spelt differently: 43 base64url characters carry 258 bits, so the
 * last character's two low bits are free, and base64 decoders ignore them.
 */
function nonCanonicalSignature(token: string): string {
  const [h, p, s] = token.split('.');
  const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(s[s.length - 1]);
  const other = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last ^ 1];
  const spelt = `${s.slice(0, -1)}${other}`;
  if (!Buffer.from(spelt, 'base64url').equals(Buffer.from(s, 'base64url'))) throw new Error('not the same bytes');
  return `${h}.${p}.${spelt}`;
}
