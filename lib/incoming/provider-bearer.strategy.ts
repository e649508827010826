import { ServiceUnavailableException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { extractBearer } from './bearer-extraction.js';
import { CredentialStoreUnavailableError, type CredentialVerifier } from './credential-verifier.js';
import type { Principal } from './principal.js';
import { verifierForRequest } from './verifier-registry.js';

/** What passport attaches to the per-request copy of a strategy. */
interface PassportActions {
  fail(challenge: string, status: number): void;
}

/**
 * passport-http-bearer as strategy 'provider-bearer', for apps built on @nestjs/passport:
 * `AuthGuard(['provider-bearer', 'jwt'])`. Header only: the stock strategy also reads
 * `access_token` from the query and body; a request carrying one is refused and the value never
 * read. Accepts exactly what ProviderAuthGuard accepts, with the same Principal; calls fail() for
 * the rest so other strategies get their turn.
 */
export class ProviderBearerStrategy extends PassportStrategy(Strategy, 'provider-bearer') {
  constructor(private readonly verifier: CredentialVerifier) {
    // The request comes along so validate() can use the verifier of the app that received it.
    super({ passReqToCallback: true });
  }

  // passport gives each request its own copy of the strategy, with fail()/success() attached.
  override authenticate(req: Parameters<typeof extractBearer>[0], options?: object): void {
    const self = this as unknown as PassportActions;
    const extraction = extractBearer(req);
    if (extraction.kind === 'outside-header') return self.fail('invalid_request', 400);
    if (extraction.kind !== 'token') return self.fail(extraction.kind === 'malformed' ? 'invalid_token' : 'Bearer', 401);
    super.authenticate(req as never, options as never);
  }

  async validate(req: Parameters<typeof verifierForRequest>[0], token: string): Promise<Principal | false> {
    const verifier = verifierForRequest(req);
    if (verifier === null) return false;
    try {
      const verification = await (verifier ?? this.verifier).verify(token);
      return verification.ok ? verification.principal : false;
    } catch (error) {
      if (error instanceof CredentialStoreUnavailableError) throw new ServiceUnavailableException('Authentication is temporarily unavailable');
      throw error;
    }
  }
}
