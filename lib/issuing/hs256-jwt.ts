import { isUtf8 } from 'node:buffer';
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
// Types only: @nestjs/jwt is an optional peer, loaded by loadHs256Jwt() when `incoming` is configured.
import type { JwtService } from '@nestjs/jwt';
import { optionalPeerProblem } from './optional-peer-problem.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';

/** Injection token of the module's Hs256Jwt (null without `incoming`). Shared by every copy of the package. */
export const HS256_JWT = Symbol.for('nest-provider-auth:Hs256Jwt');

/** Longest bearer credential the verifier reads; TokenService never issues a longer token. */
export const MAX_CREDENTIAL_CHARS = 8_192;

/**
 * One configured JWT secret, as a KeyObject. `kid` is present when `incoming.jwtSecret` is a list
 * of `{ kid, secret }`: the first entry signs and names itself in the header.
 */
export interface JwtKey {
  readonly kid?: string;
  readonly key: KeyObject;
}

type JwtModule = Pick<typeof import('@nestjs/jwt'), 'JwtService' | 'JwtSecretRequestType'>;

/** What check() decided: the payload of a token to accept, or a refusal (`expired` only for an expiry). */
export type Hs256Verdict = { readonly ok: true; readonly payload: Record<string, unknown> } | { readonly ok: false; readonly expired: boolean };

const REFUSED: Hs256Verdict = Object.freeze({ ok: false, expired: false });
const EXPIRED: Hs256Verdict = Object.freeze({ ok: false, expired: true });

/**
 * A compact JWS whose signature is an HMAC-SHA256 (32 bytes: 43 base64url characters, no padding):
 * three segments of the base64url alphabet only, as jws's own pattern demands, so no segment can
 * smuggle padding, whitespace or the standard alphabet's `+` and `/`.
 */
const COMPACT_HS256 = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/**
 * HS256 tokens: signed through @nestjs/jwt's JwtService (jsonwebtoken), verified here with
 * node:crypto, each secret a KeyObject (a string secret makes every HMAC re-import the key).
 *
 * Verification does once what jsonwebtoken (behind JwtService) does with several splits and
 * decodes of the token, and refuses everything it refuses (lib/issuing/hs256-jwt.spec.ts checks
 * that against jsonwebtoken over generated tokens): the algorithm must be exactly HS256, the
 * signature is compared in constant time with its canonical encoding, `nbf` and `exp` are read as
 * jsonwebtoken reads them (seconds, with the clock tolerance). It also refuses what jsonwebtoken
 * lets through and RFC 7515/7519/8725 do not: a `crit` header (extensions we would have to
 * understand, §4.1.11), header or claims that are not UTF-8 JSON (jsonwebtoken reads such bytes as
 * U+FFFD, so two byte strings could read as the same claims), claims that are not a JSON object,
 * and a token without `exp`.
 *
 * Rotation (`jwtSecret` as a list): a token whose header names a `kid` is checked against that
 * kid's secret only, and refused when the kid is not configured; a token without `kid` (issued
 * under a single secret, before the list) is checked against each secret in turn. With a single
 * secret a `kid` header is ignored, as it always was.
 */
export class Hs256Jwt {
  private readonly jwt: JwtService;
  private readonly signOptions: { keyid?: string };
  /** Every secret, the signing one first. */
  private readonly keys: readonly KeyObject[];
  /** kid → secret when jwtSecret is a list; null for a single secret. */
  private readonly byKid: ReadonlyMap<string, KeyObject> | null;

  constructor(
    jwt: JwtModule,
    keys: readonly JwtKey[],
    private readonly clockToleranceSec: number,
  ) {
    if (keys.length === 0) throw new TypeError('Hs256Jwt needs at least one key');
    const signKey = keys[0].key;
    this.keys = keys.map((k) => k.key);
    const listed = keys.filter((k): k is JwtKey & { kid: string } => k.kid !== undefined);
    this.byKid = listed.length > 0 ? new Map(listed.map((k) => [k.kid, k.key])) : null;
    this.signOptions = keys[0].kid !== undefined ? { keyid: keys[0].kid } : {};
    // The KeyObject is handed over by `secretOrKeyProvider`, whose type (jsonwebtoken's Secret) includes it: no cast.
    this.jwt = new jwt.JwtService({ secretOrKeyProvider: () => signKey, signOptions: { algorithm: 'HS256' } });
  }

  /** Signed with the first secret; its `kid` in the header when jwtSecret is a list. */
  sign(payload: Record<string, unknown>, expiresInSec: number): string {
    return this.jwt.sign(payload, { expiresIn: expiresInSec, ...this.signOptions });
  }

  /** The payload, if the signature is good and exp/nbf allow it now; otherwise throws (see isExpiry). */
  verify(token: string, opts: { ignoreExpiration?: boolean } = {}): Record<string, unknown> {
    const verdict = this.check(token, opts.ignoreExpiration === true);
    if (!verdict.ok) throw new RefusedToken(verdict.expired);
    return verdict.payload;
  }

  /**
   * verify() without exceptions: refusals are the common case of a forged or stale token, and the
   * guard answers them as fast as acceptances. The signature is checked before any claim, so a
   * forged expired token is refused, never "expired".
   */
  check(token: string, ignoreExpiration = false): Hs256Verdict {
    if (typeof token !== 'string' || token.length > MAX_CREDENTIAL_CHARS || !COMPACT_HS256.test(token)) return REFUSED;
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    const header = jsonObjectAt(token, 0, firstDot);
    if (header === undefined || header.alg !== 'HS256' || Object.hasOwn(header, 'crit')) return REFUSED;
    const given = Buffer.from(token.slice(secondDot + 1), 'latin1');
    const signingInput = token.slice(0, secondDot);
    if (this.byKid !== null && Object.hasOwn(header, 'kid')) {
      // A kid we do not hold (or never issued): no other secret is tried.
      const key = typeof header.kid === 'string' ? this.byKid.get(header.kid) : undefined;
      if (key === undefined || !signs(key, signingInput, given)) return REFUSED;
    } else if (!this.signedByAny(signingInput, given)) {
      return REFUSED;
    }
    const payload = jsonObjectAt(token, firstDot + 1, secondDot);
    if (payload === undefined) return REFUSED;
    // jsonwebtoken's clock and comparisons: whole seconds, nbf before exp, the tolerance on both.
    const now = Math.floor(Date.now() / 1000);
    const tolerance = this.clockToleranceSec;
    if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + tolerance)) return REFUSED;
    // exp is required (ours; jsonwebtoken accepts a token without one), and finite.
    if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) return REFUSED;
    if (!ignoreExpiration && now >= payload.exp + tolerance) return EXPIRED;
    return { ok: true, payload };
  }

  /** One secret, or no kid (issued under a single secret, before the list): whichever configured secret signed it. */
  private signedByAny(signingInput: string, signature: Buffer): boolean {
    for (const key of this.keys) if (signs(key, signingInput, signature)) return true;
    return false;
  }

  /** Whether verify() refused only because the token has expired. */
  static isExpiry(error: unknown): boolean {
    return error instanceof RefusedToken && error.expired;
  }
}

/**
 * Whether `signature` (the token's third segment, as latin1 bytes) is the HMAC-SHA256 of the
 * signing input under `key`, in its one canonical base64url form: compared as jws compares it, in
 * constant time, so non-canonical spellings of the right bytes are refused as jsonwebtoken refuses them.
 */
function signs(key: KeyObject, signingInput: string, signature: Buffer): boolean {
  const expected = Buffer.from(createHmac('sha256', key).update(signingInput, 'latin1').digest('base64url'), 'latin1');
  return expected.length === signature.length && timingSafeEqual(expected, signature);
}

/**
 * The JSON object encoded (base64url, UTF-8) in `token` between `start` and `end`, or undefined
 * when it is not one. A segment of 4n+1 characters cannot be base64 (the decoder would drop its
 * last character silently), and bytes that are not UTF-8 are refused rather than read as U+FFFD.
 */
function jsonObjectAt(token: string, start: number, end: number): Record<string, unknown> | undefined {
  if ((end - start) % 4 === 1) return undefined;
  const bytes = Buffer.from(token.slice(start, end), 'base64url');
  if (!isUtf8(bytes)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The module's Hs256Jwt: @nestjs/jwt is imported here, at bootstrap, and only when the app
 * configures `incoming`, so apps that only call the providers need not install it. `keys` are
 * `incoming.jwtSecret` resolved (a bare KeyObject: one secret, no kid).
 */
export async function loadHs256Jwt(keys: KeyObject | readonly JwtKey[], clockToleranceSec: number): Promise<Hs256Jwt> {
  let jwt: typeof import('@nestjs/jwt');
  try {
    jwt = await import('@nestjs/jwt');
  } catch (error) {
    throw new ProviderAuthConfigError([{ path: 'incoming', problem: optionalPeerProblem('@nestjs/jwt', error, '@nestjs/jwt') }]);
  }
  return new Hs256Jwt(jwt, Array.isArray(keys) ? keys : [{ key: keys as KeyObject }], clockToleranceSec);
}

/** A token verify() refused; `expired` only when the one thing wrong is its expiry. Never jsonwebtoken's text. */
class RefusedToken extends Error {
  constructor(readonly expired: boolean) {
    super(expired ? 'token expired' : 'invalid token');
    this.name = 'RefusedToken';
  }
}
