/**
 * The adversarial credential table. Each case mints what it presents against the app under test
 * (keys and revocations live in that app's stores), says where to send it and what must happen.
 */
import { randomUUID } from 'node:crypto';
import type { ApiKeyService, Scope, TokenService } from '../../../lib/index.js';
import { secretAudit } from '../../support/secret-audit.js';
import { R, ROLE_SCOPES, type Outcome } from './answers.js';
import type { Send } from './incoming-app.js';
import {
  accessClaims,
  base62,
  checksummedKey,
  forge,
  forgeEs256,
  forgeRaw,
  forgeRs256,
  keyFields,
  mutateAt,
  nonCanonicalSignature,
  nowSec,
  parts,
  payloadOf,
  unsigned,
  withSegment,
  b64url,
} from './token-forge.js';

export const JWT_SECRET = 'adversarial-suite-hs256-secret-0123456789';
export const OTHER_SECRET = 'another-service-s-hs256-secret-9876543210';

export interface Ctx {
  tokens: TokenService;
  keys: ApiKeyService;
}

export interface Presented {
  /** A list sends several Authorization headers. */
  authorization?: string | string[];
  /** Query string without '?'. */
  query?: string;
  method?: 'get' | 'post';
  body?: Send['body'];
  /** Strings that must never be echoed or logged (the header's credential is added automatically). */
  secrets?: string[];
  /** For accepted cases: the principal the handler must see. */
  principal?: unknown;
}

export interface CredCase {
  name: string;
  /** Route; default the authentication-only '/g/auth' (or '/g/echo' for a POST). Only default-route cases run through passport too. */
  path?: string;
  present: (ctx: Ctx) => Promise<Presented>;
  outcome: Outcome;
}

type UserInput = { role: 'admin' | 'member'; plan?: string; brandId?: string };

const bearer = (t: string) => `Bearer ${t}`;
const signed = (claims: Record<string, unknown>) => forge(claims, { secret: JWT_SECRET });

function userPrincipal(sub: string, u: UserInput) {
  return { kind: 'user', sub, role: u.role, scopes: ROLE_SCOPES[u.role], ...(u.plan && { plan: u.plan }), ...(u.brandId && { brandId: u.brandId }) };
}

/** A real token pair from TokenService, registered with the secret audit. */
export async function issue(ctx: Ctx, u: UserInput = { role: 'member' }) {
  const sub = `user-${randomUUID()}`;
  const pair = await ctx.tokens.issue({ sub, ...u });
  secretAudit.registerSecret(pair.access_token, pair.refresh_token);
  return { pair, token: pair.access_token, principal: userPrincipal(sub, u) };
}

/** A real API key from ApiKeyService, registered with the secret audit. */
export async function mintKey(ctx: Ctx, scopes: string[], expiresAt?: Date) {
  const { id, key } = await ctx.keys.create({ label: `adversarial ${randomUUID()}`, scopes: scopes as Scope[], ...(expiresAt && { expiresAt }) });
  secretAudit.registerSecret(key);
  return { id, key, principal: { kind: 'api_key', keyId: id, scopes } };
}

/** A token signed with the real secret (as a careless or compromised issuer would), with these claims. */
function forged(overrides: Record<string, unknown>) {
  const claims = accessClaims(overrides);
  const token = signed(claims);
  secretAudit.registerSecret(token);
  return token;
}

const asUser =
  (u: UserInput = { role: 'member' }) =>
  async (ctx: Ctx): Promise<Presented> => {
    const { token, principal } = await issue(ctx, u);
    return { authorization: bearer(token), principal };
  };
const asKey =
  (scopes: string[]) =>
  async (ctx: Ctx): Promise<Presented> => {
    const { key, principal } = await mintKey(ctx, scopes);
    return { authorization: bearer(key), principal };
  };
/** A real member token presented through `frame`. */
const framed =
  (frame: (t: string) => string | string[]) =>
  async (ctx: Ctx): Promise<Presented> => {
    const { token } = await issue(ctx);
    return { authorization: frame(token), secrets: [token] };
  };
/** A real member token, changed by `change`. */
const changed =
  (change: (t: string) => string) =>
  async (ctx: Ctx): Promise<Presented> => {
    const { token } = await issue(ctx);
    return { authorization: bearer(change(token)), secrets: [token] };
  };
const fixed = (authorization: string | undefined) => async (): Promise<Presented> => ({ authorization });
/** Claims are computed when the case runs (times are relative to then). */
type Overrides = () => Record<string, unknown>;
const forgedWith = (overrides: Overrides) => async (): Promise<Presented> => ({ authorization: bearer(forged(overrides())) });
const acceptedForged = (overrides: Overrides) => async (): Promise<Presented> => {
  const claims = accessClaims(overrides());
  const token = signed(claims);
  secretAudit.registerSecret(token);
  return { authorization: bearer(token), principal: userPrincipal(claims.sub as string, { role: claims.role as 'admin' | 'member' }) };
};

const now = nowSec;

export const FRAMING: CredCase[] = [
  { name: 'no Authorization header', present: fixed(undefined), outcome: R.missing },
  { name: 'an empty Authorization header', present: fixed(''), outcome: R.missing },
  { name: 'Basic credentials', present: fixed('Basic YWRtaW46aHVudGVyMg=='), outcome: R.otherScheme },
  {
    name: 'Digest credentials',
    present: fixed('Digest username="admin", realm="api", nonce="dcd98b7102dd2f0e", response="6629fae49393a053"'),
    outcome: R.otherScheme,
  },
  { name: 'a valid token under the Token scheme', present: framed((t) => `Token ${t}`), outcome: R.otherScheme },
  { name: 'a valid token under a made-up scheme glued to Bearer', present: framed((t) => `BearerToken ${t}`), outcome: R.otherScheme },
  { name: 'the Bearer scheme with no token', present: fixed('Bearer'), outcome: R.malformed },
  { name: 'two spaces between scheme and a valid token', present: framed((t) => `Bearer  ${t}`), outcome: R.malformed },
  { name: 'a tab instead of the space', present: framed((t) => `Bearer\t${t}`), outcome: R.malformed },
  { name: 'a valid token followed by an extra part', present: framed((t) => `Bearer ${t} extra`), outcome: R.malformed },
  { name: 'a valid token followed by another credential', present: framed((t) => `Bearer ${t}, Basic YWRtaW46aHVudGVyMg==`), outcome: R.malformed },
  { name: 'the scheme repeated', present: framed((t) => `Bearer Bearer ${t}`), outcome: R.malformed },
  { name: 'a quoted valid token', present: framed((t) => `Bearer "${t}"`), outcome: R.malformed },
  { name: 'a valid token with a percent-escape inside', present: framed((t) => `Bearer ${t.replace('.', '%2E')}`), outcome: R.malformed },
  { name: 'an "=" inside the token, not only at its end', present: framed((t) => `Bearer ${t.replace('.', '=.')}`), outcome: R.malformed },
  { name: 'a token with a non-ASCII (latin-1) character', present: framed((t) => `Bearer ${t}\u00e9`), outcome: R.malformed },
  { name: 'an oversized b64token (9000 chars)', present: fixed(`Bearer ${'A'.repeat(9000)}`), outcome: R.invalid },
  // RFC 6750 §3.1: a request with several credentials is invalid_request, whichever comes first.
  { name: 'two Authorization headers, the same valid token', present: framed((t) => [`Bearer ${t}`, `Bearer ${t}`]), outcome: R.duplicate },
  { name: 'two Authorization headers, a valid token then Basic', present: framed((t) => [`Bearer ${t}`, 'Basic YWRtaW46aHVudGVyMg==']), outcome: R.duplicate },
  { name: 'two Authorization headers, junk then a valid token', present: framed((t) => ['Bearer junk', `Bearer ${t}`]), outcome: R.duplicate },
  {
    name: 'two Authorization headers, an empty one then a valid key',
    present: async (ctx) => {
      const { key } = await mintKey(ctx, ['campaigns:read']);
      return { authorization: ['', `Bearer ${key}`], secrets: [key] };
    },
    outcome: R.duplicate,
  },
  {
    name: 'a lower-case scheme with a valid token',
    present: async (ctx) => {
      const u = await issue(ctx);
      return { authorization: `bearer ${u.token}`, principal: u.principal };
    },
    outcome: 'accept',
  },
  {
    name: 'an upper-case scheme with a valid token',
    present: async (ctx) => {
      const u = await issue(ctx);
      return { authorization: `BEARER ${u.token}`, principal: u.principal };
    },
    outcome: 'accept',
  },
  { name: 'a valid admin token', present: asUser({ role: 'admin' }), outcome: 'accept' },
  { name: 'a valid member token with plan and brand', present: asUser({ role: 'member', plan: 'growth', brandId: 'brand_42' }), outcome: 'accept' },
  { name: 'a valid API key', present: asKey(['campaigns:read', 'links:read']), outcome: 'accept' },
];

export const JWT_FORGERIES: CredCase[] = [
  { name: 'a bad signature (random bytes)', present: changed((t) => withSegment(t, 2, b64url(Buffer.from(base62(32))))), outcome: R.invalid },
  {
    name: 'a token signed with another secret',
    present: async () => ({ authorization: bearer(forge(accessClaims({ role: 'admin' }), { secret: OTHER_SECRET })) }),
    outcome: R.invalid,
  },
  { name: 'a token signed with an empty secret', present: async () => ({ authorization: bearer(forge(accessClaims(), { secret: '' })) }), outcome: R.invalid },
  {
    name: 'alg none without signature',
    present: async () => ({ authorization: bearer(unsigned(accessClaims({ role: 'admin' }), 'none')) }),
    outcome: R.invalid,
  },
  { name: 'alg None', present: async () => ({ authorization: bearer(unsigned(accessClaims({ role: 'admin' }), 'None')) }), outcome: R.invalid },
  { name: 'alg NONE', present: async () => ({ authorization: bearer(unsigned(accessClaims({ role: 'admin' }), 'NONE')) }), outcome: R.invalid },
  {
    name: 'alg none keeping a real signature',
    present: changed((t) => withSegment(t, 0, b64url(JSON.stringify({ alg: 'none', typ: 'JWT' })))),
    outcome: R.invalid,
  },
  {
    name: 'HS384 signed with the real secret',
    present: async () => ({ authorization: bearer(forge(accessClaims(), { secret: JWT_SECRET, hash: 'sha384', header: { alg: 'HS384', typ: 'JWT' } })) }),
    outcome: R.invalid,
  },
  {
    name: 'HS512 signed with the real secret',
    present: async () => ({ authorization: bearer(forge(accessClaims(), { secret: JWT_SECRET, hash: 'sha512', header: { alg: 'HS512', typ: 'JWT' } })) }),
    outcome: R.invalid,
  },
  {
    name: 'RS256 signed with an unknown RSA key',
    present: async () => ({ authorization: bearer(forgeRs256(accessClaims({ role: 'admin' }))) }),
    outcome: R.invalid,
  },
  {
    name: 'ES256 signed with an unknown EC key',
    present: async () => ({ authorization: bearer(forgeEs256(accessClaims({ role: 'admin' }))) }),
    outcome: R.invalid,
  },
  {
    name: 'an RS256 header over an HMAC of the real secret',
    present: async () => ({ authorization: bearer(forge(accessClaims(), { secret: JWT_SECRET, header: { alg: 'RS256', typ: 'JWT' } })) }),
    outcome: R.invalid,
  },
  {
    name: 'HS256 with an embedded jwk, signed with that key',
    present: async () => {
      const k = base62(40);
      return {
        authorization: bearer(forge(accessClaims({ role: 'admin' }), { secret: k, header: { alg: 'HS256', typ: 'JWT', jwk: { kty: 'oct', k: b64url(k) } } })),
      };
    },
    outcome: R.invalid,
  },
  {
    name: 'a tampered payload (member → admin) under the original signature',
    present: changed((t) => withSegment(t, 1, b64url(JSON.stringify({ ...payloadOf(t), role: 'admin' })))),
    outcome: R.invalid,
  },
  {
    name: 'a tampered header (kid added) under the original signature',
    present: changed((t) => withSegment(t, 0, b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'k1' })))),
    outcome: R.invalid,
  },
  { name: 'a tampered signature (one character)', present: changed((t) => withSegment(t, 2, mutateAt(parts(t)[2], 10))), outcome: R.invalid },
  { name: 'a non-canonical spelling of the real signature', present: changed(nonCanonicalSignature), outcome: R.invalid },
  { name: 'the signature with base64 padding appended', present: changed((t) => `${t}=`), outcome: R.invalid },
  { name: 'the signature removed (two segments)', present: changed((t) => t.split('.').slice(0, 2).join('.')), outcome: R.invalid },
  { name: 'header and payload only, trailing dot', present: changed((t) => `${t.split('.').slice(0, 2).join('.')}.`), outcome: R.invalid },
  { name: 'four segments', present: changed((t) => `${t}.${parts(t)[2]}`), outcome: R.invalid },
  {
    name: 'a payload that is not JSON',
    present: async () => ({ authorization: bearer(forgeRaw('{"sub":"u1",', { secret: JWT_SECRET })) }),
    outcome: R.invalid,
  },
  { name: 'a JSON string payload', present: async () => ({ authorization: bearer(forgeRaw('"access"', { secret: JWT_SECRET })) }), outcome: R.invalid },
  {
    name: 'a JSON number payload',
    present: async () => ({ authorization: bearer(forgeRaw(String(now() + 600), { secret: JWT_SECRET })) }),
    outcome: R.invalid,
  },
  {
    name: 'a JSON array payload',
    present: async () => ({ authorization: bearer(forgeRaw(JSON.stringify([accessClaims()]), { secret: JWT_SECRET })) }),
    outcome: R.invalid,
  },
  { name: 'a JSON null payload', present: async () => ({ authorization: bearer(forgeRaw('null', { secret: JWT_SECRET })) }), outcome: R.invalid },
  // RFC 7515 §4.1.11: a critical extension the recipient does not understand means refuse.
  {
    name: 'a crit header naming an extension, signed with the real secret',
    present: async () => ({
      authorization: bearer(forge(accessClaims({ role: 'admin' }), { secret: JWT_SECRET, header: { alg: 'HS256', typ: 'JWT', crit: ['exp'] } })),
    }),
    outcome: R.invalid,
  },
  {
    name: 'a crit header naming b64 (RFC 7797), signed with the real secret',
    present: async () => ({ authorization: bearer(forge(accessClaims(), { secret: JWT_SECRET, header: { alg: 'HS256', b64: true, crit: ['b64'] } })) }),
    outcome: R.invalid,
  },
  {
    name: 'an empty crit list, signed with the real secret',
    present: async () => ({ authorization: bearer(forge(accessClaims(), { secret: JWT_SECRET, header: { alg: 'HS256', typ: 'JWT', crit: [] } })) }),
    outcome: R.invalid,
  },
  // RFC 7519 §7.2: header and claims are UTF-8; other bytes must not be read as U+FFFD and accepted.
  {
    name: 'claims with a byte that is not UTF-8 (in sub), signed',
    present: async () => ({ authorization: bearer(forgeRaw(notUtf8Claims(Buffer.from([0xff])), { secret: JWT_SECRET })) }),
    outcome: R.invalid,
  },
  {
    name: 'claims with an overlong UTF-8 "/" (C0 AF), signed',
    present: async () => ({ authorization: bearer(forgeRaw(notUtf8Claims(Buffer.from([0xc0, 0xaf])), { secret: JWT_SECRET })) }),
    outcome: R.invalid,
  },
  {
    name: 'claims with a lone UTF-16 surrogate as UTF-8 (ED A0 80), signed',
    present: async () => ({ authorization: bearer(forgeRaw(notUtf8Claims(Buffer.from([0xed, 0xa0, 0x80])), { secret: JWT_SECRET })) }),
    outcome: R.invalid,
  },
  {
    name: 'a header with a byte that is not UTF-8, signed',
    present: async () => ({
      authorization: bearer(
        forgeRaw(JSON.stringify(accessClaims()), {
          secret: JWT_SECRET,
          headerBytes: Buffer.concat([Buffer.from('{"alg":"HS256","typ":"JWT","x":"'), Buffer.from([0xfe]), Buffer.from('"}')]),
        }),
      ),
    }),
    outcome: R.invalid,
  },
];

/** Valid claims whose sub has `bytes` in it: JSON, but not UTF-8. */
function notUtf8Claims(bytes: Buffer): Buffer {
  const [before, after] = JSON.stringify(accessClaims({ role: 'admin', sub: 'user-MARK' })).split('MARK');
  return Buffer.concat([Buffer.from(before), bytes, Buffer.from(after)]);
}

export const CLAIMS: CredCase[] = [
  { name: 'no exp', present: forgedWith(() => ({ exp: undefined })), outcome: R.invalid },
  { name: 'a string exp', present: forgedWith(() => ({ exp: String(now() + 600) })), outcome: R.invalid },
  {
    name: 'an infinite exp (1e400)',
    present: async () => ({
      authorization: bearer(forgeRaw(JSON.stringify(accessClaims({ exp: 0 })).replace('"exp":0', '"exp":1e400'), { secret: JWT_SECRET })),
    }),
    outcome: R.invalid,
  },
  { name: 'no iat', present: forgedWith(() => ({ iat: undefined })), outcome: R.invalid },
  { name: 'a string iat', present: forgedWith(() => ({ iat: String(now()) })), outcome: R.invalid },
  { name: 'an iat 60 s in the future', present: forgedWith(() => ({ iat: now() + 60 })), outcome: R.invalid },
  { name: 'a string nbf', present: forgedWith(() => ({ nbf: String(now() - 10) })), outcome: R.invalid },
  { name: 'an nbf 60 s in the future', present: forgedWith(() => ({ nbf: now() + 60 })), outcome: R.invalid },
  { name: 'typ refresh', present: forgedWith(() => ({ typ: 'refresh', fam: randomUUID() })), outcome: R.invalid },
  { name: 'no typ', present: forgedWith(() => ({ typ: undefined })), outcome: R.invalid },
  { name: 'typ "Access" (wrong case)', present: forgedWith(() => ({ typ: 'Access' })), outcome: R.invalid },
  { name: 'no jti', present: forgedWith(() => ({ jti: undefined })), outcome: R.invalid },
  { name: 'an empty jti', present: forgedWith(() => ({ jti: '' })), outcome: R.invalid },
  { name: 'no sub', present: forgedWith(() => ({ sub: undefined })), outcome: R.invalid },
  { name: 'a numeric sub', present: forgedWith(() => ({ sub: 12345 })), outcome: R.invalid },
  { name: 'an unknown role (owner)', present: forgedWith(() => ({ role: 'owner' })), outcome: R.invalid },
  { name: 'role "Admin" (wrong case)', present: forgedWith(() => ({ role: 'Admin' })), outcome: R.invalid },
  { name: 'no role', present: forgedWith(() => ({ role: undefined })), outcome: R.invalid },
  { name: 'a role list', present: forgedWith(() => ({ role: ['admin'] })), outcome: R.invalid },
  {
    name: 'typ and role only under __proto__',
    present: async () => {
      const body = JSON.stringify(accessClaims({ typ: undefined, role: undefined })).replace(/^\{/, '{"__proto__":{"typ":"access","role":"admin"},');
      return { authorization: bearer(forgeRaw(body, { secret: JWT_SECRET })) };
    },
    outcome: R.invalid,
  },
  { name: 'an empty plan', present: forgedWith(() => ({ plan: '' })), outcome: R.invalid },
  { name: 'expired 60 s ago', present: forgedWith(() => ({ iat: now() - 120, exp: now() - 60 })), outcome: R.expired },
  {
    name: 'expired 60 s ago with a bad signature',
    present: async () => ({ authorization: bearer(forge(accessClaims({ iat: now() - 120, exp: now() - 60 }), { secret: OTHER_SECRET })) }),
    outcome: R.invalid,
  },
  { name: 'expired 2 s ago (inside the 5 s tolerance)', present: acceptedForged(() => ({ iat: now() - 100, exp: now() - 2 })), outcome: 'accept' },
  { name: 'an iat 2 s in the future (inside the tolerance)', present: acceptedForged(() => ({ iat: now() + 2 })), outcome: 'accept' },
  { name: 'an nbf 2 s in the future (inside the tolerance)', present: acceptedForged(() => ({ nbf: now() + 2 })), outcome: 'accept' },
  // The suite's apps issue 3600 s tokens with 5 s tolerance: a longer-lived one was not issued by this configuration.
  { name: 'a lifetime of the access TTL plus the tolerance', present: acceptedForged(() => ({ iat: now(), exp: now() + 3605 })), outcome: 'accept' },
  { name: 'a lifetime 1 s over the access TTL plus the tolerance', present: forgedWith(() => ({ iat: now(), exp: now() + 3606 })), outcome: R.invalid },
  { name: 'a ten-year lifetime', present: forgedWith(() => ({ iat: now(), exp: now() + 10 * 366 * 86_400 })), outcome: R.invalid },
  { name: 'a long lifetime with an old iat, not yet expired', present: forgedWith(() => ({ iat: now() - 86_400, exp: now() + 600 })), outcome: R.invalid },
];

export const REVOCATION: CredCase[] = [
  {
    name: 'a revoked access token',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      await ctx.tokens.revokeAccessToken(token);
      return { authorization: bearer(token) };
    },
    outcome: R.invalid,
  },
  {
    name: 'a refresh token used as an access token',
    present: async (ctx) => ({ authorization: bearer((await issue(ctx, { role: 'admin' })).pair.refresh_token) }),
    outcome: R.invalid,
  },
  {
    name: 'an access token whose family was revoked',
    present: async (ctx) => {
      const { pair } = await issue(ctx);
      await ctx.tokens.revokeFamily(pair.refresh_token);
      return { authorization: bearer(pair.access_token), secrets: [pair.refresh_token] };
    },
    outcome: R.invalid,
  },
  {
    name: 'an access token of a user revoked everywhere',
    present: async (ctx) => {
      const { pair, principal } = await issue(ctx);
      await ctx.tokens.revokeAllForUser(principal.sub);
      return { authorization: bearer(pair.access_token) };
    },
    outcome: R.invalid,
  },
];

export const OUTSIDE_HEADER: CredCase[] = [
  {
    name: 'access_token in the query string',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { query: `access_token=${token}`, secrets: [token] };
    },
    outcome: R.outside,
  },
  {
    name: 'access_token in the query string beside a valid header',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { authorization: bearer(token), query: `access_token=${token}` };
    },
    outcome: R.outside,
  },
  { name: 'a percent-encoded access_token query name', present: async () => ({ query: `access%5Ftoken=${base62(40)}` }), outcome: R.outside },
  {
    name: 'access_token[] in the query beside a valid header',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { authorization: bearer(token), query: `access_token[]=${base62(40)}` };
    },
    outcome: R.outside,
  },
  {
    name: 'access_token in a JSON body',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { method: 'post', body: { type: 'json', data: { access_token: token } }, secrets: [token] };
    },
    outcome: R.outside,
  },
  {
    name: 'access_token in a JSON body beside a valid header',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { method: 'post', authorization: bearer(token), body: { type: 'json', data: { access_token: token } } };
    },
    outcome: R.outside,
  },
  {
    name: 'access_token in a urlencoded body',
    present: async (ctx) => {
      const { key } = await mintKey(ctx, ['campaigns:read']);
      return { method: 'post', body: { type: 'form', data: { access_token: key } }, secrets: [key] };
    },
    outcome: R.outside,
  },
  {
    name: 'access_token in a urlencoded body beside a valid header',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { method: 'post', authorization: bearer(token), body: { type: 'form', data: { access_token: token } } };
    },
    outcome: R.outside,
  },
  {
    // Body parsers read a chunked body; the guard must look at it although no Content-Length says so.
    name: 'access_token in a chunked JSON body',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { method: 'post', body: { type: 'json', data: { access_token: token }, chunked: true }, secrets: [token] };
    },
    outcome: R.outside,
  },
  {
    name: 'access_token in a chunked urlencoded body beside a valid header',
    present: async (ctx) => {
      const { token } = await issue(ctx);
      return { method: 'post', authorization: bearer(token), body: { type: 'form', data: { access_token: token }, chunked: true } };
    },
    outcome: R.outside,
  },
  {
    name: 'a POST with a valid header and an innocent body',
    present: async (ctx) => {
      const u = await issue(ctx);
      return { method: 'post', authorization: bearer(u.token), body: { type: 'json', data: { name: 'x' } }, principal: u.principal };
    },
    outcome: 'accept',
  },
];

/** Keys of the app under test changed in one way or another. */
const realKeyChanged =
  (change: (key: string) => string) =>
  async (ctx: Ctx): Promise<Presented> => {
    const { key } = await mintKey(ctx, ['campaigns:read']);
    return { authorization: bearer(change(key)), secrets: [key] };
  };

export const API_KEYS: CredCase[] = [
  { name: 'a forged key: right shape, wrong checksum', present: async () => ({ authorization: bearer(`afk_live_${base62(46)}`) }), outcome: R.invalid },
  { name: 'a checksum-valid key nobody issued', present: async () => ({ authorization: bearer(checksummedKey()) }), outcome: R.invalid },
  { name: 'a real key with one secret character changed', present: realKeyChanged((k) => mutateAt(k, 30)), outcome: R.invalid },
  { name: 'a real key with one lookup character changed', present: realKeyChanged((k) => mutateAt(k, 12)), outcome: R.invalid },
  { name: 'a real key with one checksum character changed', present: realKeyChanged((k) => mutateAt(k, k.length - 2)), outcome: R.invalid },
  { name: 'a real key id with another secret, checksum recomputed', present: realKeyChanged((k) => checksummedKey(keyFields(k).lookup)), outcome: R.invalid },
  { name: 'a real key missing its last character', present: realKeyChanged((k) => k.slice(0, -1)), outcome: R.invalid },
  { name: 'a real key with a character appended', present: realKeyChanged((k) => `${k}x`), outcome: R.invalid },
  { name: 'a real key with "=" appended', present: realKeyChanged((k) => `${k}=`), outcome: R.invalid },
  { name: 'a real key under afk_test_', present: realKeyChanged((k) => k.replace('afk_live_', 'afk_test_')), outcome: R.invalid },
  {
    name: 'a checksum-valid afk_test_ key',
    present: async () => ({ authorization: bearer(checksummedKey(undefined, undefined, 'afk_test_')) }),
    outcome: R.invalid,
  },
  { name: 'a real key under af_live_', present: realKeyChanged((k) => k.replace('afk_live_', 'af_live_')), outcome: R.invalid },
  { name: 'a real key under AFK_LIVE_', present: realKeyChanged((k) => k.replace('afk_live_', 'AFK_LIVE_')), outcome: R.invalid },
  {
    name: 'a revoked key',
    present: async (ctx) => {
      const { id, key } = await mintKey(ctx, ['campaigns:read']);
      await ctx.keys.revoke(id);
      return { authorization: bearer(key) };
    },
    outcome: R.invalid,
  },
  {
    name: 'an expired key',
    present: async (ctx) => ({ authorization: bearer((await mintKey(ctx, ['campaigns:read'], new Date(Date.now() - 1000))).key) }),
    outcome: R.expired,
  },
  {
    name: 'a key that expires tomorrow',
    present: async (ctx) => {
      const k = await mintKey(ctx, ['analytics:read'], new Date(Date.now() + 86_400_000));
      return { authorization: bearer(k.key), principal: k.principal };
    },
    outcome: 'accept',
  },
];

export const AUTHORIZATION: CredCase[] = [
  {
    name: 'a campaigns:read key on a campaigns:write route',
    path: '/g/campaigns-write',
    present: asKey(['campaigns:read']),
    outcome: R.scope('campaigns:write'),
  },
  {
    name: 'a key with one of two required scopes',
    path: '/g/two-scopes',
    present: asKey(['campaigns:read', 'analytics:read']),
    outcome: R.scope('campaigns:read', 'links:read'),
  },
  { name: 'a key with both required scopes', path: '/g/two-scopes', present: asKey(['links:read', 'campaigns:read']), outcome: 'accept' },
  { name: 'a member on a webhooks:manage route', path: '/g/webhooks', present: asUser({ role: 'member' }), outcome: R.scope('webhooks:manage') },
  { name: 'a member on a payouts:write route', path: '/g/payouts', present: asUser({ role: 'member' }), outcome: R.scope('payouts:write') },
  { name: 'a member on a campaigns:write route', path: '/g/campaigns-write', present: asUser({ role: 'member' }), outcome: 'accept' },
  { name: 'an admin on a payouts:write route', path: '/g/payouts', present: asUser({ role: 'admin' }), outcome: 'accept' },
  {
    name: 'a member token carrying its own scopes claim',
    path: '/g/webhooks',
    present: forgedWith(() => ({ role: 'member', scopes: ROLE_SCOPES.admin, scope: 'webhooks:manage' })),
    outcome: R.scope('webhooks:manage'),
  },
  { name: 'a member on an admin route', path: '/g/admin', present: asUser({ role: 'member' }), outcome: R.role },
  { name: 'an admin on a member route', path: '/g/member', present: asUser({ role: 'admin' }), outcome: 'accept' },
  { name: 'a member on a member route', path: '/g/member', present: asUser({ role: 'member' }), outcome: 'accept' },
  { name: 'a key with every scope on an admin route', path: '/g/admin', present: asKey(ROLE_SCOPES.admin), outcome: R.role },
  { name: 'a key with every scope on a member route', path: '/g/member', present: asKey(ROLE_SCOPES.admin), outcome: R.role },
];

export const METADATA: CredCase[] = [
  { name: 'class scope applies to a method without its own', path: '/c/inherit', present: asKey(['links:read']), outcome: R.scope('webhooks:manage') },
  { name: 'class scope satisfied', path: '/c/inherit', present: asKey(['webhooks:manage']), outcome: 'accept' },
  { name: 'method scope replaces the class scope (accepted)', path: '/c/override', present: asKey(['links:read']), outcome: 'accept' },
  { name: 'method scope replaces the class scope (refused)', path: '/c/override', present: asKey(['webhooks:manage']), outcome: R.scope('links:read') },
  { name: 'an empty @Scopes() on the method lifts the class scope', path: '/c/none', present: asKey(['calls:read']), outcome: 'accept' },
  { name: 'an empty @Scopes() still needs a credential', path: '/c/none', present: fixed(undefined), outcome: R.missing },
  { name: '@Public() method in a guarded class, no credential', path: '/c/public', present: async () => ({ principal: { public: true } }), outcome: 'accept' },
  {
    name: '@Public() method in a guarded class, junk credential',
    path: '/c/public',
    present: async () => ({ authorization: 'Bearer junk.junk.junk', principal: { public: true } }),
    outcome: 'accept',
  },
  { name: 'class @Roles(admin) refuses a member', path: '/r/admin', present: asUser({ role: 'member' }), outcome: R.role },
  { name: 'method @Roles(member) overrides class @Roles(admin)', path: '/r/member', present: asUser({ role: 'member' }), outcome: 'accept' },
  // The most specific statement wins: a method's own decorators over its class's @Public() and back.
  {
    name: '@Public() method in a class @Roles(admin), no credential',
    path: '/r/public',
    present: async () => ({ principal: { public: true } }),
    outcome: 'accept',
  },
  { name: '@Public() class, undecorated method, no credential', path: '/o/open', present: async () => ({ principal: { public: true } }), outcome: 'accept' },
  { name: '@Roles(admin) method in a @Public() class, no credential', path: '/o/admin', present: fixed(undefined), outcome: R.missing },
  { name: '@Roles(admin) method in a @Public() class, a member', path: '/o/admin', present: asUser({ role: 'member' }), outcome: R.role },
  { name: '@Roles(admin) method in a @Public() class, an admin', path: '/o/admin', present: asUser({ role: 'admin' }), outcome: 'accept' },
  { name: '@Scopes(links:read) method in a @Public() class, no credential', path: '/o/scoped', present: fixed(undefined), outcome: R.missing },
  {
    name: '@Scopes(links:read) method in a @Public() class, a key without it',
    path: '/o/scoped',
    present: asKey(['calls:read']),
    outcome: R.scope('links:read'),
  },
  { name: '@Scopes(links:read) method in a @Public() class, a key with it', path: '/o/scoped', present: asKey(['links:read']), outcome: 'accept' },
  { name: 'an empty @Scopes() method in a @Public() class needs a credential', path: '/o/authenticated', present: fixed(undefined), outcome: R.missing },
];

export const MAIN_TABLE: CredCase[] = [...FRAMING, ...JWT_FORGERIES, ...CLAIMS, ...REVOCATION, ...OUTSIDE_HEADER, ...API_KEYS, ...AUTHORIZATION, ...METADATA];

/** The authentication-only cases: the same decision is expected from AuthGuard('provider-bearer'). */
export const PARITY_TABLE: CredCase[] = MAIN_TABLE.filter((c) => c.path === undefined);

/** Where a case is sent (and its passport twin). */
export function target(c: CredCase, p: Presented, passport = false): Send {
  const method = p.method ?? 'get';
  let path = c.path ?? (method === 'post' ? '/g/echo' : '/g/auth');
  if (passport) path = path.replace(/^\/g\//, '/p/');
  return { path: p.query ? `${path}?${p.query}` : path, method, authorization: p.authorization, body: p.body };
}

/** Every credential string a case presented (each at least 8 characters), for the leak checks. */
export function credentialsOf(p: Presented): string[] {
  const out = [...(p.secrets ?? [])];
  for (const a of [p.authorization ?? []].flat()) out.push(a.replace(/^\S*\s*/, '').trim());
  if (p.query) out.push(...new URLSearchParams(p.query).values());
  if (p.body) out.push(...Object.values(p.body.data));
  const unique = [...new Set(out.filter((s) => s.length >= 8))];
  secretAudit.registerSecret(...unique.filter((s) => s.length >= 16));
  return unique;
}
