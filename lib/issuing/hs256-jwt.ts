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
 * HS256 signing and verification through @nestjs/jwt's JwtService, with the secret as a KeyObject:
 * measured ~6.6 µs per verify instead of ~330 µs with a string secret. The KeyObject is handed
 * over by `secretOrKeyProvider`, whose type (jsonwebtoken's Secret) includes it: no cast.
 */
export class Hs256Jwt {
  constructor(
    private readonly jwt: JwtService,
    private readonly clockToleranceSec: number,
  ) {}

  sign(payload: Record<string, unknown>, expiresInSec: number): string {
    return this.jwt.sign(payload, { expiresIn: expiresInSec });
  }

  /** The payload, if the signature is good and exp/nbf allow it now. Throws jsonwebtoken's errors. */
  verify(token: string, opts: { ignoreExpiration?: boolean } = {}): unknown {
    refuseWhatJsonwebtokenLetsThrough(token);
    return this.jwt.verify(token, { clockTolerance: this.clockToleranceSec, ignoreExpiration: opts.ignoreExpiration ?? false });
  }

  /** Whether verify() refused only because the token has expired (jsonwebtoken's TokenExpiredError). */
  static isExpiry(error: unknown): boolean {
    return error instanceof Error && error.name === 'TokenExpiredError';
  }
}

/**
 * The module's Hs256Jwt: @nestjs/jwt is imported here, at bootstrap, and only when the app
 * configures `incoming`, so apps that only call the providers need not install it.
 */
export async function loadHs256Jwt(key: KeyObject, clockToleranceSec: number): Promise<Hs256Jwt> {
  let jwt: typeof import('@nestjs/jwt');
  try {
    jwt = await import('@nestjs/jwt');
  } catch (error) {
    throw new ProviderAuthConfigError([{ path: 'incoming', problem: optionalPeerProblem('@nestjs/jwt', error, '@nestjs/jwt') }]);
  }
  const service = new jwt.JwtService({
    secretOrKeyProvider: () => key,
    signOptions: { algorithm: 'HS256' },
    verifyOptions: { algorithms: ['HS256'] },
  });
  return new Hs256Jwt(service, clockToleranceSec);
}

/**
 * What jsonwebtoken does not check and RFC 7515/8725 require:
 * - a `crit` header names extensions the recipient must understand or refuse the token
 *   (RFC 7515 §4.1.11); we understand none, so any `crit` is refused;
 * - header and claims must be UTF-8 JSON (RFC 7519 §7.2): jsonwebtoken decodes bytes that are not
 *   UTF-8 into U+FFFD and carries on, so two different byte strings could read as the same claims.
 */
function refuseWhatJsonwebtokenLetsThrough(token: string): void {
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot < 0 || secondDot < 0) return; // not a compact JWS: jsonwebtoken refuses it
  const header = Buffer.from(token.slice(0, firstDot), 'base64url');
  const payload = Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url');
  if (!isUtf8(header) || !isUtf8(payload)) throw new RefusedToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString('utf8'));
  } catch {
    return; // jsonwebtoken refuses it
  }
  if (typeof parsed === 'object' && parsed !== null && Object.hasOwn(parsed, 'crit')) throw new RefusedToken();
}

/** A token refused before jsonwebtoken saw it (never an expiry). */
class RefusedToken extends Error {
  constructor() {
    super('invalid token');
    this.name = 'RefusedToken';
  }
}
