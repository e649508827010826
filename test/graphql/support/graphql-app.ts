/**
 * A user's GraphQL app (code-first) on Apollo/Express or Mercurius/Fastify, guarded by
 * ProviderAuthGuard per resolver (@UseGuards) or globally (globalGuard: true), with subscriptions
 * authenticated at connect by GraphQLConnectionAuth; plus a tiny client for it (HTTP and graphql-ws).
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { UseGuards, type INestApplication } from '@nestjs/common';
import { Args, Field, GraphQLModule, ID, Mutation, ObjectType, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { EventEmitter, on } from 'node:events';
import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { GraphQLConnectionAuth, ProviderAuthGraphQLModule } from '../../../lib/graphql/index.js';
import {
  ApiKeyService,
  CurrentPrincipal,
  ProviderAuthGuard,
  ProviderAuthModule,
  Public,
  Roles,
  Scopes,
  TokenService,
  type IncomingOptions,
  type Principal,
} from '../../../lib/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';

export type Driver = 'apollo-express' | 'mercurius-fastify';
export type GuardMode = 'resolver' | 'global';

@ObjectType()
export class Campaign {
  @Field(() => ID) id!: string;
  @Field() name!: string;
}

@ObjectType()
export class Who {
  @Field() kind!: string;
  @Field() id!: string;
  @Field({ nullable: true }) role?: string;
}

/** Published campaigns, for the subscription: any async iterable serves both drivers. */
export class CampaignFeed {
  private readonly events = new EventEmitter();
  publish(campaign: Campaign): void {
    this.events.emit('created', campaign);
  }
  async *created(): AsyncGenerator<Campaign> {
    for await (const [campaign] of on(this.events, 'created')) yield campaign as Campaign;
  }
  listeners(): number {
    return this.events.listenerCount('created');
  }
}

const whoOf = (p: Principal): Who => (p.kind === 'api_key' ? { kind: p.kind, id: p.keyId } : { kind: p.kind, id: p.sub, role: p.role });

function campaignResolver(mode: GuardMode) {
  @Resolver(() => Campaign)
  class CampaignResolver {
    constructor(private readonly feed: CampaignFeed) {}

    @Query(() => String, { nullable: true })
    @Public()
    health() {
      return 'ok';
    }

    @Query(() => [Campaign], { nullable: true })
    @Scopes('campaigns:read')
    campaigns(): Campaign[] {
      return [{ id: 'c1', name: 'Spring' }];
    }

    @Query(() => Who, { nullable: true })
    whoami(@CurrentPrincipal() principal: Principal) {
      return whoOf(principal);
    }

    @Query(() => String, { nullable: true })
    @Roles('admin')
    adminReport() {
      return 'for admins';
    }

    @Mutation(() => Campaign, { nullable: true })
    @Scopes('campaigns:write')
    createCampaign(@Args('name') name: string, @CurrentPrincipal() principal: Principal): Campaign {
      const campaign = { id: `by-${whoOf(principal).id}`, name };
      this.feed.publish(campaign);
      return campaign;
    }

    /** A field resolver with its own requirement: guarded too (fieldResolverEnhancers: ['guards']). */
    @ResolveField(() => String, { nullable: true })
    @Scopes('payouts:write')
    payoutAccount(@Parent() campaign: Campaign, @CurrentPrincipal() principal: Principal) {
      return `${campaign.id}:payouts-of:${whoOf(principal).id}`;
    }

    @Subscription(() => Campaign, { nullable: true, resolve: (campaign: Campaign) => campaign })
    @Scopes('campaigns:read')
    campaignCreated() {
      return this.feed.created();
    }

    @Subscription(() => Campaign, { nullable: true, resolve: (campaign: Campaign) => campaign })
    @Roles('admin')
    adminFeed() {
      return this.feed.created();
    }

    @Subscription(() => String, { nullable: true, resolve: (campaign: Campaign) => campaign.name })
    @Scopes('campaigns:read')
    campaignNames(@CurrentPrincipal() principal: Principal) {
      // The principal the connection authenticated with, as a subscription resolver sees it.
      const feed = this.feed;
      return (async function* () {
        yield { name: `hello ${whoOf(principal).id}` } as Campaign;
        yield* feed.created();
      })();
    }
  }
  if (mode === 'resolver') UseGuards(ProviderAuthGuard)(CampaignResolver);
  return CampaignResolver;
}

export interface GraphQLApp {
  app: INestApplication;
  url: string;
  keys: ApiKeyService;
  tokens: TokenService;
  feed: CampaignFeed;
  close(): Promise<void>;
}

export async function startGraphQLApp(driver: Driver, mode: GuardMode, incoming: Partial<IncomingOptions> & { jwtSecret: string }): Promise<GraphQLApp> {
  const graphql =
    driver === 'apollo-express'
      ? GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [ProviderAuthGraphQLModule],
          inject: [GraphQLConnectionAuth],
          useFactory: (auth: GraphQLConnectionAuth) => ({
            autoSchemaFile: true,
            fieldResolverEnhancers: ['guards'],
            subscriptions: { 'graphql-ws': auth.graphqlWs() },
          }),
        })
      : GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          imports: [ProviderAuthGraphQLModule],
          inject: [GraphQLConnectionAuth],
          useFactory: (auth: GraphQLConnectionAuth) => ({
            autoSchemaFile: true,
            fieldResolverEnhancers: ['guards'],
            subscription: { ...auth.mercurius() },
          }),
        });
  const moduleRef = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ incoming, isGlobal: true, globalGuard: mode === 'global' }), graphql],
    providers: [campaignResolver(mode), CampaignFeed],
  })
    .setLogger(new CapturingLogger())
    .compile();
  const app = driver === 'apollo-express' ? moduleRef.createNestApplication() : moduleRef.createNestApplication(new FastifyAdapter());
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${port}/graphql`,
    keys: app.get(ApiKeyService),
    tokens: app.get(TokenService),
    feed: app.get(CampaignFeed),
    close: () => app.close(),
  };
}

export interface GraphQLAnswer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  };
}

/** A POST to the GraphQL endpoint; `authorization` may be several values (several header lines). */
export function gql(url: string, query: string, opts: { authorization?: string | string[]; search?: string; variables?: object } = {}): Promise<GraphQLAnswer> {
  const target = new URL(url + (opts.search ?? ''));
  const payload = JSON.stringify({ query, variables: opts.variables });
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as GraphQLAnswer['body'] });
        } catch {
          reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('error', reject);
    if (opts.authorization !== undefined) req.setHeader('Authorization', opts.authorization);
    req.end(payload);
  });
}

export interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/** A graphql-ws (graphql-transport-ws protocol) connection, message by message. */
export class WsClient {
  private readonly queue: WsMessage[] = [];
  private waiters: ((m: WsMessage) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as WsMessage;
      if (message.type === 'ping') return void this.send({ type: 'pong' });
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(httpUrl: string, search = ''): Promise<WsClient> {
    const socket = new WebSocket(httpUrl.replace(/^http/, 'ws') + search, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WsClient(socket);
  }

  send(message: WsMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  next(timeoutMs = 3_000): Promise<WsMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  /** connection_init with these connectionParams: the ack, or the close that refused it. */
  async init(connectionParams?: object): Promise<WsMessage | { closed: { code: number; reason: string } }> {
    this.send({ type: 'connection_init', payload: connectionParams });
    return Promise.race([this.next(), this.closed.then((closed) => ({ closed }))]);
  }

  close(): void {
    this.socket.close();
  }
}
