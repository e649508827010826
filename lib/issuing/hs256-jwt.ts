import type { KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';

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
    return this.jwt.verify(token, {
      secret: this.secret,
      algorithms: ['HS256'],
      clockTolerance: this.clockToleranceSec,
      ignoreExpiration: opts.ignoreExpiration ?? false,
    });
  }
}
