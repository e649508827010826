import { isUtf8 } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { JsonWebTokenError, JwtService } from '@nestjs/jwt';

/**
 * HS256 signing and verification through @nestjs/jwt with the secret as a KeyObject: measured
 * ~6.6 µs per verify instead of ~330 µs with a string secret. `JwtModuleOptions.secret` is typed
 * `string | Buffer`, but jsonwebtoken takes a KeyObject at runtime: the cast lives here only.
 */
export class Hs256Jwt {
  private readonly jwt = new JwtService();
  private readonly secret: Buffer;

  constructor(
    key: KeyObject,
    private readonly clockToleranceSec: number,
  ) {
    this.secret = key as unknown as Buffer;
  }

  sign(payload: Record<string, unknown>, expiresInSec: number): string {
    return this.jwt.sign(payload, { secret: this.secret, algorithm: 'HS256', expiresIn: expiresInSec });
  }

  /** The payload, if the signature is good and exp/nbf allow it now. Throws jsonwebtoken's errors. */
  verify(token: string, opts: { ignoreExpiration?: boolean } = {}): unknown {
    refuseWhatJsonwebtokenLetsThrough(token);
    return this.jwt.verify(token, {
      secret: this.secret,
      algorithms: ['HS256'],
      clockTolerance: this.clockToleranceSec,
      ignoreExpiration: opts.ignoreExpiration ?? false,
    });
  }
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
  if (!isUtf8(header) || !isUtf8(payload)) throw new JsonWebTokenError('invalid token');
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString('utf8'));
  } catch {
    return; // jsonwebtoken refuses it
  }
  if (typeof parsed === 'object' && parsed !== null && Object.hasOwn(parsed, 'crit')) throw new JsonWebTokenError('invalid token');
}
