import { Inject, Injectable, Optional } from '@nestjs/common';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedIncomingOptions, ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import { answerFor, ProviderAuthException, type Refusal } from '../incoming/auth-answers.js';
import { authenticateRequest } from '../incoming/authenticate-request.js';
import { CredentialVerifier } from '../incoming/credential-verifier.js';
import { GRAPHQL_CONNECTION, type GraphQLConnection } from '../incoming/transports/graphql-transport.js';

/** What graphql-ws hands `onConnect`: the client's connectionParams and the server's `extra` (`ws`: `{ socket, request }`). */
export interface GraphQLWsConnectContext {
  connectionParams?: unknown;
  extra?: unknown;
}

interface ClosableSocket {
  close(code: number, reason: string): void;
}

/**
 * Authenticates GraphQL subscription connections once, at connect, from
 * `connectionParams.authorization` (`Bearer <token or API key>`; never from the URL), and keeps the
 * credential and principal in the subscription context, where ProviderAuthGuard and
 * @CurrentPrincipal() find them. A refused connection is closed with code 4000 + the HTTP status
 * (4401, 4400, 4503) and the refusal's code as the reason (`TOKEN_EXPIRED`).
 *
 * @example subscriptions: { 'graphql-ws': connectionAuth.graphqlWs() }   // Apollo
 * @example subscription: connectionAuth.mercurius()                      // Mercurius
 */
@Injectable()
export class GraphQLConnectionAuth {
  private readonly options: ResolvedIncomingOptions;

  constructor(
    @Inject(PROVIDER_AUTH_OPTIONS) options: ResolvedProviderAuthOptions,
    @Optional() @Inject(CredentialVerifier) private readonly verifier: CredentialVerifier | null,
  ) {
    if (!options.incoming || !verifier) {
      throw new ProviderAuthConfigError([
        { path: 'incoming', problem: 'is not configured, but GraphQLConnectionAuth is used; add incoming: { jwtSecret } to ProviderAuthModule.forRoot()' },
      ]);
    }
    this.options = options.incoming;
  }

  /**
   * graphql-ws server options (Apollo: `subscriptions: { 'graphql-ws': auth.graphqlWs() }`):
   * `onConnect` authenticates and keeps the connection in graphql-ws's `extra`.
   */
  graphqlWs(): { onConnect: (ctx: GraphQLWsConnectContext) => Promise<boolean> } {
    return {
      onConnect: async (ctx) => {
        const extra = (typeof ctx.extra === 'object' && ctx.extra !== null ? ctx.extra : undefined) as
          { socket?: ClosableSocket; request?: { url?: unknown }; [GRAPHQL_CONNECTION]?: GraphQLConnection } | undefined;
        try {
          const connection = await this.authenticate(ctx.connectionParams, extra?.request?.url);
          if (!extra) return false;
          extra[GRAPHQL_CONNECTION] = connection;
          return true;
        } catch (error) {
          return this.refuse(error, extra?.socket);
        }
      },
    };
  }

  /**
   * Mercurius's `subscription` options (spread your own beside it): `onConnect` authenticates and
   * its answer is merged into the subscription context.
   */
  mercurius(): { onConnect: (data: { payload?: unknown }) => Promise<false | { [GRAPHQL_CONNECTION]: GraphQLConnection }> } {
    const authenticate = (params: unknown, url: unknown) => this.authenticate(params, url);
    const refuse = (error: unknown, socket: ClosableSocket | undefined) => this.refuse(error, socket);
    return {
      // A function, not an arrow: Mercurius calls it as a method of the connection, whose socket
      // lets a refusal carry its code (otherwise Mercurius answers a bare "Forbidden").
      async onConnect(this: unknown, data) {
        const connection = (typeof this === 'object' && this !== null ? this : undefined) as
          { socket?: ClosableSocket; context?: { request?: { url?: unknown } } } | undefined;
        try {
          return { [GRAPHQL_CONNECTION]: await authenticate(data?.payload, connection?.context?.request?.url) };
        } catch (error) {
          return refuse(error, connection?.socket);
        }
      },
    };
  }

  /**
   * The connection's credential and principal, or a thrown ProviderAuthException (the same
   * refusals as a request's header: TOKEN_INVALID, TOKEN_EXPIRED, SERVICE_UNAVAILABLE…).
   */
  async authenticate(connectionParams: unknown, url?: unknown): Promise<GraphQLConnection> {
    const params = typeof connectionParams === 'object' && connectionParams !== null ? (connectionParams as Record<string, unknown>) : {};
    const authorization = params.authorization ?? params.Authorization;
    // The upgrade's URL is read only to refuse a token in it, as a request's query string is.
    const authentication = await authenticateRequest({ headers: authorization === undefined ? {} : { authorization }, url }, this.verifier!);
    if (!authentication.ok) throw this.answer(authentication.refusal);
    return { authorization: authorization as string, user: authentication.principal };
  }

  private answer(refusal: Refusal): ProviderAuthException {
    return answerFor(refusal, this.options.errorFormat, this.options.realm);
  }

  private refuse(error: unknown, socket: ClosableSocket | undefined): false {
    if (!(error instanceof ProviderAuthException)) throw error;
    if (socket && typeof socket.close === 'function') socket.close(4000 + error.getStatus(), error.code);
    return false;
  }
}
