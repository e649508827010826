/**
 * The fixture apps of the adversarial suite: guarded routes (per route, per class, global guard,
 * passport AuthGuard), a handler-run counter, and helpers to send a request and judge a refusal.
 */
import { Body, Controller, Get, HttpCode, Post, UseGuards, type INestApplication } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  ApiKeyService,
  CurrentPrincipal,
  InMemoryApiKeyStore,
  ProviderAuthGuard,
  ProviderAuthModule,
  Public,
  Roles,
  Scopes,
  TokenService,
  type ApiKeyRecord,
  type IncomingOptions,
  type Principal,
} from '../../../lib/index.js';
import { ProviderBearerStrategy } from '../../../lib/passport/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';

export type AdapterName = 'express' | 'fastify';

/** How many times any fixture handler ran. */
export const handlerRuns = { count: 0 };
const ran = (p: Principal | undefined) => {
  handlerRuns.count++;
  return p ?? { public: true };
};

@Controller('g')
@UseGuards(ProviderAuthGuard)
export class RouteGuarded {
  @Get('auth') auth(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Post('echo') @HttpCode(200) echo(@CurrentPrincipal() p: Principal, @Body() _b: unknown) {
    return ran(p);
  }
  @Scopes('campaigns:write') @Get('campaigns-write') campaignsWrite(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes('campaigns:read', 'links:read') @Get('two-scopes') twoScopes(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes('webhooks:manage') @Get('webhooks') webhooks(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes('payouts:write') @Get('payouts') payouts(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Roles('admin') @Get('admin') admin(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Roles('member') @Get('member') member(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
}

/** Class-level metadata, overridden per handler. */
@Controller('c')
@UseGuards(ProviderAuthGuard)
@Scopes('webhooks:manage')
export class ClassGuarded {
  @Get('inherit') inherit(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes('links:read') @Get('override') override(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes() @Get('none') none(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Public() @Get('public') open(@CurrentPrincipal() p: Principal | undefined) {
    return ran(p);
  }
}

@Controller('r')
@UseGuards(ProviderAuthGuard)
@Roles('admin')
export class ClassRoles {
  @Get('admin') admin(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Roles('member') @Get('member') member(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Public() @Get('public') open(@CurrentPrincipal() p: Principal | undefined) {
    return ran(p);
  }
}

/** A @Public() class whose methods say otherwise: the most specific statement wins. */
@Controller('o')
@UseGuards(ProviderAuthGuard)
@Public()
export class PublicClass {
  @Get('open') open(@CurrentPrincipal() p: Principal | undefined) {
    return ran(p);
  }
  @Roles('admin') @Get('admin') admin(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes('links:read') @Get('scoped') scoped(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes() @Get('authenticated') authenticated(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
}

/** The same authentication through @nestjs/passport. */
@Controller('p')
@UseGuards(AuthGuard('provider-bearer'))
export class PassportGuarded {
  @Get('auth') auth(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Post('echo') @HttpCode(200) echo(@CurrentPrincipal() p: Principal, @Body() _b: unknown) {
    return ran(p);
  }
}

/** For the app with `globalGuard: true`: no @UseGuards anywhere. */
@Controller('global')
export class GloballyGuarded {
  @Public() @Get('open') open(@CurrentPrincipal() p: Principal | undefined) {
    return ran(p);
  }
  @Get('default') default(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Roles('admin') @Get('admin') admin(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
  @Scopes('analytics:read') @Get('scoped') scoped(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
}

/** For the app with `globalGuard: true`: a @Public() class with one guarded method. */
@Controller('global-open')
@Public()
export class GloballyOpen {
  @Get('open') open(@CurrentPrincipal() p: Principal | undefined) {
    return ran(p);
  }
  @Roles('admin') @Get('admin') admin(@CurrentPrincipal() p: Principal) {
    return ran(p);
  }
}

/** An API-key store that counts lookups and can be made to fail. */
export class ObservedApiKeyStore extends InMemoryApiKeyStore {
  gets = 0;
  failing = false;
  override async get(id: string): Promise<ApiKeyRecord | undefined> {
    this.gets++;
    if (this.failing) throw new Error('api key store is down');
    return super.get(id);
  }
}

export interface Fixture {
  app: INestApplication;
  logger: CapturingLogger;
  tokens: TokenService;
  keys: ApiKeyService;
  store: ObservedApiKeyStore;
  server: () => unknown;
}

export async function startApp(
  adapter: AdapterName,
  incoming: Omit<IncomingOptions, 'apiKeyStore'>,
  controllers: (new (...args: never[]) => unknown)[],
  globalGuard = false,
  /** Runs before app.init(), e.g. to mount plain middleware ahead of Nest's 404 handler. */
  beforeInit?: (app: INestApplication) => void,
): Promise<Fixture> {
  const logger = new CapturingLogger();
  const store = new ObservedApiKeyStore();
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ globalGuard, incoming: { ...incoming, apiKeyStore: store } })],
    controllers,
    // AuthGuard('provider-bearer') in the passport fixtures, and plain passport.authenticate().
    providers: [ProviderBearerStrategy],
  })
    .setLogger(logger)
    .compile();
  const app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
  app.useLogger(logger);
  beforeInit?.(app);
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return { app, logger, store, tokens: app.get(TokenService), keys: app.get(ApiKeyService), server: () => app.getHttpServer() };
}

export interface Send {
  path: string;
  method?: 'get' | 'post';
  /** Authorization header value; omitted when undefined; a list sends one header line each. */
  authorization?: string | string[];
  /** `chunked`: sent with Transfer-Encoding: chunked and no Content-Length. */
  body?: { type: 'json' | 'form'; data: Record<string, string>; chunked?: boolean };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

export async function send(server: unknown, s: Send): Promise<Answer> {
  if (s.body?.chunked) return sendChunked(server as Server, s);
  const agent = request(server as Parameters<typeof request>[0]);
  let r = s.method === 'post' ? agent.post(s.path) : agent.get(s.path);
  // superagent sends a list as one header line per value (typed for Cookie only).
  if (s.authorization !== undefined) r = r.set('Authorization', s.authorization as string);
  if (s.body?.type === 'json') r = r.set('Content-Type', 'application/json').send(JSON.stringify(s.body.data));
  else if (s.body?.type === 'form') r = r.set('Content-Type', 'application/x-www-form-urlencoded').send(new URLSearchParams(s.body.data).toString());
  const res = await r;
  return { status: res.status, headers: res.headers as Answer['headers'], body: res.body as unknown, text: res.text ?? '' };
}

const CONTENT_TYPES = { json: 'application/json', form: 'application/x-www-form-urlencoded' };

/** A body without Content-Length (superagent always sets one): Node's client streams it chunked. */
async function sendChunked(server: Server, s: Send): Promise<Answer> {
  const body = s.body!;
  const text = body.type === 'json' ? JSON.stringify(body.data) : new URLSearchParams(body.data).toString();
  const listening = server.listening;
  if (!listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const headers: Record<string, string | string[]> = { 'content-type': CONTENT_TYPES[body.type] };
    if (s.authorization !== undefined) headers.authorization = s.authorization;
    return await new Promise<Answer>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: s.path, method: (s.method ?? 'post').toUpperCase(), headers }, (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (answer += chunk));
        res.on('end', () => {
          let parsed: unknown = answer;
          try {
            parsed = JSON.parse(answer);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text: answer });
        });
      });
      req.on('error', reject);
      // Two writes: the body goes out in chunks, never with a length.
      req.write(text.slice(0, 5));
      req.end(text.slice(5));
    });
  } finally {
    if (!listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** True when `secret` shows up anywhere in the answer (headers or body) or the captured logs. */
export function leaks(secret: string, answer: Answer, logger: CapturingLogger): { inAnswer: boolean; inLogs: boolean } {
  const surface = `${JSON.stringify(answer.headers)}\n${answer.text}`;
  return { inAnswer: surface.includes(secret), inLogs: logger.text().includes(secret) };
}

/** Principals compared without regard to scope order. */
export function normalise(p: unknown): unknown {
  if (typeof p !== 'object' || p === null || !Array.isArray((p as { scopes?: unknown }).scopes)) return p;
  return { ...p, scopes: [...(p as { scopes: string[] }).scopes].sort() };
}
