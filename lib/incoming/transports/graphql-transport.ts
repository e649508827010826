import { IntrinsicException, type ExecutionContext } from '@nestjs/common';
import type { ProviderAuthException } from '../auth-answers.js';
import type { Principal } from '../principal.js';
import type { CredentialSource, Transport } from './transport.js';

/**
 * Where a subscription connection authenticated at connect keeps its credential and principal, in
 * the GraphQL context (`nest-provider-auth/graphql` puts it there). A registry key, so the ESM and
 * CommonJS builds share it.
 */
export const GRAPHQL_CONNECTION = Symbol.for('nest-provider-auth:graphql-connection');

/** A connection's credential (the `Bearer …` value its connectionParams held) and, once verified, its principal. */
export interface GraphQLConnection {
  authorization: string;
  user?: Principal;
}

/**
 * A refusal in a resolver: graphql-js copies `extensions` of the error a resolver throws into the
 * GraphQL error, so both Apollo and Mercurius answer `extensions: { code, status }`. Not an
 * HttpException (Nest's Apollo driver would rewrite it into its own codes); an IntrinsicException,
 * so Nest does not log every refused call as an error.
 */
export class ProviderAuthGraphQLError extends IntrinsicException {
  readonly extensions: { readonly code: string; readonly status: number };

  constructor(message: string, code: string, status: number) {
    super(message);
    this.name = 'ProviderAuthGraphQLError';
    this.extensions = { code, status };
  }

  /** The GraphQL error for a refusal: the body's human text (never the credential), its code and HTTP status. */
  static from(exception: ProviderAuthException): ProviderAuthGraphQLError {
    const body = exception.getResponse() as Record<string, unknown>;
    const text = typeof body.detail === 'string' ? body.detail : typeof body.message === 'string' ? body.message : exception.code;
    return new ProviderAuthGraphQLError(text, exception.code, exception.getStatus());
  }
}

type Holder = { user?: Principal };

/**
 * GraphQL resolvers (@nestjs/graphql, Apollo or Mercurius): queries and mutations read the HTTP
 * request's Authorization header (`context.req`, or Mercurius's `context.reply.request`), exactly
 * as a route does; subscriptions read the credential their connection presented at connect.
 */
export const graphqlTransport: Transport = {
  request(context) {
    const found = locate(context);
    if (!found) return undefined;
    if ('authorization' in found) return { source: { headers: { authorization: found.authorization } }, holder: found };
    return { source: found, holder: found as Holder };
  },

  principal(context) {
    return (locate(context) as Holder | undefined)?.user;
  },

  refusal(exception) {
    return ProviderAuthGraphQLError.from(exception);
  },
};

/** The connection (subscriptions) or HTTP request (queries, mutations) the resolver runs for. */
function locate(context: ExecutionContext): GraphQLConnection | (CredentialSource & Holder) | undefined {
  const ctx = asObject(context.getArgByIndex(2));
  if (!ctx) return undefined;
  // Apollo + graphql-ws: Nest's context is `{ req: <graphql-ws context> }`, whose `extra` holds it.
  const req = asObject(ctx.req);
  for (const place of [ctx, req, asObject(req?.extra), asObject(ctx.extra)]) {
    const connection = place?.[GRAPHQL_CONNECTION];
    if (isConnection(connection)) return connection;
  }
  // Apollo (Express or Fastify) and Mercurius: `req`; Mercurius always adds `reply.request` too.
  for (const candidate of [req, asObject(asObject(ctx.reply)?.request)]) {
    if (candidate && asObject(candidate.headers)) return candidate as CredentialSource & Holder;
  }
  return undefined;
}

function isConnection(value: unknown): value is GraphQLConnection {
  return typeof value === 'object' && value !== null && typeof (value as GraphQLConnection).authorization === 'string';
}

function asObject(value: unknown): Record<string | symbol, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string | symbol, unknown>) : undefined;
}
