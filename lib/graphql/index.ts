// nest-provider-auth/graphql: subscriptions authenticated at connect, for @nestjs/graphql apps.
// Queries, mutations and field resolvers need nothing from here: ProviderAuthGuard handles them.
export { GraphQLConnectionAuth, type GraphQLWsConnectContext } from './graphql-connection-auth.js';
export { ProviderAuthGraphQLModule } from './provider-auth-graphql.module.js';
export { GRAPHQL_CONNECTION, ProviderAuthGraphQLError, type GraphQLConnection } from '../incoming/transports/graphql-transport.js';
