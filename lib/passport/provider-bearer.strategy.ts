import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import { extractBearer } from '../incoming/bearer-extraction.js';
import { CredentialStoreUnavailableError, CredentialVerifier } from '../incoming/credential-verifier.js';
import type { Principal } from '../incoming/principal.js';
import { verifierForRequest } from '../incoming/verifier-registry.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';

/** What passport attaches to the per-request copy of a strategy, and the realm passport-http-bearer's challenges name. */
interface PassportActions {
  fail(challenge: string, status: number): void;
  _realm: string;
}

/**
 * passport-http-bearer as strategy 'provider-bearer', for apps built on @nestjs/passport:
 * `AuthGuard(['provider-bearer', 'jwt'])`. Header only: the stock strategy also reads
 * `access_token` from the query and body; a request carrying one is refused and the value never
 * read. Accepts exactly what ProviderAuthGuard accepts, with the same Principal; calls fail() for
 * the rest so other strategies get their turn. List it among your module's providers (beside
 * ProviderAuthModule with `incoming`): constructing it registers the strategy with passport.
 *
 * @example
 * import { ProviderBearerStrategy } from 'nest-provider-auth/passport';
 * \@Module({ imports: [ProviderAuthModule.forRoot({ incoming })], providers: [ProviderBearerStrategy] })
 */
@Injectable()
export class ProviderBearerStrategy extends PassportStrategy(Strategy, 'provider-bearer') {
  private readonly verifier: CredentialVerifier;

  constructor(@Inject(CredentialVerifier) verifier: CredentialVerifier | null) {
    // Before super(): a strategy that cannot verify must not be registered with passport at all.
    if (!verifier) {
      throw new ProviderAuthConfigError([
        { path: 'incoming', problem: 'is not configured, but ProviderBearerStrategy is used; add incoming: { jwtSecret } to ProviderAuthModule.forRoot()' },
      ]);
    }
    // The request comes along so validate() can use the verifier of the app that received it.
    super({ passReqToCallback: true });
    this.verifier = verifier;
  }

  // passport gives each request its own copy of the strategy (Object.create of the registered one),
  // with fail()/success() attached: the realm set here is this request's only. Challenges are
  // RFC 6750's, as plain passport.authenticate() sends them in WWW-Authenticate.
  override authenticate(req: Parameters<typeof extractBearer>[0] & Parameters<typeof verifierForRequest>[0], options?: object): void {
    const self = this as unknown as PassportActions;
    self._realm = (verifierForRequest(req) ?? this.verifier).realm;
    const bearer = `Bearer realm="${self._realm}"`;
    const extraction = extractBearer(req);
    switch (extraction.kind) {
      case 'token':
        // passport-http-bearer reads the token again and, if validate() refuses it, fails with
        // `Bearer realm="…", error="invalid_token"` built from _realm.
        return super.authenticate(req as never, options as never);
      case 'outside-header':
      case 'duplicate-header':
        return self.fail(`${bearer}, error="invalid_request"`, 400);
      case 'malformed':
        return self.fail(`${bearer}, error="invalid_token"`, 401);
      case 'missing':
      case 'other-scheme':
        return self.fail(bearer, 401);
    }
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
