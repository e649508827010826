import { isUtf8 } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
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

/**
 * HS256 signing and verification through @nestjs/jwt's JwtService, with each secret as a KeyObject:
 * measured ~6.6 µs per verify instead of ~330 µs with a string secret. The KeyObject is handed
 * over by `secretOrKeyProvider`, whose type (jsonwebtoken's Secret) includes it: no cast.
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
  /**
   * The key `secretOrKeyProvider` hands jsonwebtoken for the verify in progress: JwtService.verify
   * is synchronous, so nothing else can run between choosing the key and its use.
   */
  private verifyKey: KeyObject;

  constructor(
    jwt: JwtModule,
    keys: readonly JwtKey[],
    private readonly clockToleranceSec: number,
  ) {
    if (keys.length === 0) throw new TypeError('Hs256Jwt needs at least one key');
    const signKey = keys[0].key;
    this.keys = keys.map((k) => k.key);
    this.verifyKey = signKey;
    const listed = keys.filter((k): k is JwtKey & { kid: string } => k.kid !== undefined);
    this.byKid = listed.length > 0 ? new Map(listed.map((k) => [k.kid, k.key])) : null;
    this.signOptions = keys[0].kid !== undefined ? { keyid: keys[0].kid } : {};
    const SIGN = jwt.JwtSecretRequestType.SIGN;
    this.jwt = new jwt.JwtService({
      secretOrKeyProvider: (type) => (type === SIGN ? signKey : this.verifyKey),
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    });
  }

  /** Signed with the first secret; its `kid` in the header when jwtSecret is a list. */
  sign(payload: Record<string, unknown>, expiresInSec: number): string {
    return this.jwt.sign(payload, { expiresIn: expiresInSec, ...this.signOptions });
  }

  /** The payload, if the signature is good and exp/nbf allow it now. Throws jsonwebtoken's errors. */
  verify(token: string, opts: { ignoreExpiration?: boolean } = {}): unknown {
    const header = refuseWhatJsonwebtokenLetsThrough(token);
    const options = { clockTolerance: this.clockToleranceSec, ignoreExpiration: opts.ignoreExpiration ?? false };
    // A single secret: verifyKey never changes, so this costs what it did before rotation existed.
    if (this.byKid === null) return this.jwt.verify(token, options);
    if (header !== undefined && Object.hasOwn(header, 'kid')) {
      const key = typeof header.kid === 'string' ? this.byKid.get(header.kid) : undefined;
      if (key === undefined) throw new RefusedToken(); // a kid we do not hold (or never issued): no other secret is tried
      return this.verifyWith(key, token, options);
    }
    // No kid: issued under a single secret, before the list. Whichever configured secret signed it.
    for (let i = 0; ; i++) {
      try {
        return this.verifyWith(this.keys[i], token, options);
      } catch (error) {
        // Only a wrong signature means "try the next secret": anything else (expired, malformed,
        // another algorithm) is the same answer whatever the secret.
        if (i === this.keys.length - 1 || !isBadSignature(error)) throw error;
      }
    }
  }

  /** Whether verify() refused only because the token has expired (jsonwebtoken's TokenExpiredError). */
  static isExpiry(error: unknown): boolean {
    return error instanceof Error && error.name === 'TokenExpiredError';
  }

  private verifyWith(key: KeyObject, token: string, options: { clockTolerance: number; ignoreExpiration: boolean }): unknown {
    this.verifyKey = key;
    return this.jwt.verify(token, options);
  }
}

/** jsonwebtoken's refusal of a signature made with another secret (it checks the signature before exp). */
function isBadSignature(error: unknown): boolean {
  return error instanceof Error && error.name === 'JsonWebTokenError' && error.message === 'invalid signature';
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

/**
 * What jsonwebtoken does not check and RFC 7515/8725 require:
 * - a `crit` header names extensions the recipient must understand or refuse the token
 *   (RFC 7515 §4.1.11); we understand none, so any `crit` is refused;
 * - header and claims must be UTF-8 JSON (RFC 7519 §7.2): jsonwebtoken decodes bytes that are not
 *   UTF-8 into U+FFFD and carries on, so two different byte strings could read as the same claims.
 * Returns the parsed header (for its `kid`), or undefined when jsonwebtoken will refuse the token anyway.
 */
function refuseWhatJsonwebtokenLetsThrough(token: string): Record<string, unknown> | undefined {
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot < 0 || secondDot < 0) return undefined; // not a compact JWS: jsonwebtoken refuses it
  const header = Buffer.from(token.slice(0, firstDot), 'base64url');
  const payload = Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url');
  if (!isUtf8(header) || !isUtf8(payload)) throw new RefusedToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString('utf8'));
  } catch {
    return undefined; // jsonwebtoken refuses it
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined; // jsonwebtoken refuses it
  if (Object.hasOwn(parsed, 'crit')) throw new RefusedToken();
  return parsed as Record<string, unknown>;
}

/** A token refused before jsonwebtoken saw it (never an expiry). */
class RefusedToken extends Error {
  constructor() {
    super('invalid token');
    this.name = 'RefusedToken';
  }
}
