import { Module } from '@nestjs/common';
import { GraphQLConnectionAuth } from './graphql-connection-auth.js';

/**
 * Provides GraphQLConnectionAuth, for `GraphQLModule.forRootAsync({ imports: [ProviderAuthGraphQLModule],
 * inject: [GraphQLConnectionAuth], … })`. Needs ProviderAuthModule with `incoming` and `isGlobal: true`.
 */
@Module({ providers: [GraphQLConnectionAuth], exports: [GraphQLConnectionAuth] })
export class ProviderAuthGraphQLModule {}
