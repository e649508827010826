import type { ExecutionContext } from '@nestjs/common';
import type { ResolvedIncomingOptions } from '../../provider-auth.options.js';
import type { ProviderAuthException } from '../auth-answers.js';
import type { RequestLike } from '../bearer-extraction.js';
import type { Principal } from '../principal.js';

/** What a credential is read from: a request's headers, as the bearer extraction reads them. */
export type CredentialSource = RequestLike;

/** Where a transport reads the credential, and where the principal is kept for the handler. */
export interface TransportRequest {
  /** Read as an HTTP request is: the Authorization header only, never a token from the URL or body. */
  source: CredentialSource;
  /** `user` is set to the principal (`request.user`, a socket's `client.user`, …). */
  holder: { user?: Principal };
}

/**
 * How ProviderAuthGuard works in an execution context other than plain HTTP (GraphQL, WebSockets,
 * RPC): where the credential comes from, where the principal goes, and what a refusal becomes.
 * Each lives in its own file and never imports an optional peer at load time.
 */
export interface Transport {
  /** The credential's source and the principal's holder; undefined when there is none to read (denied). */
  request(context: ExecutionContext, options: ResolvedIncomingOptions): TransportRequest | undefined;
  /** The principal set by an earlier guard (or a connection's authentication), for @CurrentPrincipal(). */
  principal(context: ExecutionContext): Principal | undefined;
  /** What to throw for a refusal in this transport (an HTTP answer does not reach a socket or a GraphQL client as is). */
  refusal(exception: ProviderAuthException): unknown | Promise<unknown>;
}
