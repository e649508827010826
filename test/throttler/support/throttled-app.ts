/**
 * A user's app with ProviderAuthGuard and ProviderThrottlerGuard, on Express or Fastify, with
 * credentials issued by the package's own ApiKeyService and TokenService.
 */
import { Controller, Get, UseGuards, type INestApplication, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ThrottlerModule, type Resolvable, type ThrottlerStorage } from '@nestjs/throttler';
import request from 'supertest';
import {
  ApiKeyService,
  CurrentPrincipal,
  InMemoryApiKeyStore,
  ProviderAuthGuard,
  ProviderAuthModule,
  Public,
  TokenService,
  type ApiKeyStore,
  type Principal,
} from '../../../lib/index.js';
import { ProviderThrottlerGuard } from '../../../lib/throttler/index.js';
import { CapturingLogger } from '../../support/capturing-logger.js';
import { secretAudit } from '../../support/secret-audit.js';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];
export const JWT_SECRET = 'a-throttling-test-secret-of-32-bytes!';

@Controller()
export class Routes {
  @Get('items') items(@CurrentPrincipal() p: Principal) {
    return { ok: true, kind: p.kind };
  }
  @Public() @Get('open') open() {
    return { ok: true };
  }
}

/** The same routes, guarded per route: authentication, then throttling. */
@Controller('per-route')
@UseGuards(ProviderAuthGuard, ProviderThrottlerGuard)
export class PerRouteGuarded {
  @Get('items') items() {
    return { ok: true };
  }
}

/** Per route, in the wrong order: the throttler sees no principal yet. */
@Controller('reversed')
@UseGuards(ProviderThrottlerGuard, ProviderAuthGuard)
export class PerRouteReversed {
  @Get('items') items() {
    return { ok: true };
  }
}

/** Only the authentication per route (the throttler is global). */
@Controller('auth-only')
@UseGuards(ProviderAuthGuard)
export class AuthOnlyPerRoute {
  @Get('items') items() {
    return { ok: true };
  }
}

/**
 * How the two guards are registered:
 * - 'app-guards': both APP_GUARD in the app's module, ProviderAuthGuard first (the documented way);
 * - 'app-guards-reversed': both APP_GUARD, the throttler first;
 * - 'global-guard': ProviderAuthModule's `globalGuard: true`, the throttler an APP_GUARD of the app's module;
 * - 'throttler-app-guard': only the throttler is an APP_GUARD (controllers add ProviderAuthGuard);
 * - 'use-guards': no APP_GUARD; controllers list the guards themselves.
 */
export type Wiring = 'app-guards' | 'app-guards-reversed' | 'global-guard' | 'throttler-app-guard' | 'use-guards';

export interface ThrottledAppOptions {
  wiring?: Wiring;
  limit: Resolvable<number>;
  ttlMs?: number;
  blockDurationMs?: number;
  storage?: ThrottlerStorage;
  errorFormat?: 'affilync' | 'convertly';
  /** Shared between replicas, so that a key issued by one is accepted by the other. */
  apiKeyStore?: ApiKeyStore;
  /** Without ProviderAuthModule: the throttler alone (its 429s then default to 'affilync'). */
  withoutAuthModule?: boolean;
  controllers?: (new () => unknown)[];
}

export interface ThrottledApp {
  app: INestApplication;
  logger: CapturingLogger;
  get(path: string, credential?: string, ip?: string): request.Test;
  apiKey(label?: string): Promise<string>;
  /** Revokes a key apiKey() issued (ApiKeyService.revoke). */
  revoke(key: string): Promise<void>;
  userToken(sub: string, plan?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startThrottledApp(adapter: AdapterName, options: ThrottledAppOptions): Promise<ThrottledApp> {
  const wiring = options.wiring ?? 'app-guards';
  const throttler = ThrottlerModule.forRoot({
    throttlers: [
      { ttl: options.ttlMs ?? 60_000, limit: options.limit, ...(options.blockDurationMs !== undefined && { blockDuration: options.blockDurationMs }) },
    ],
    ...(options.storage && { storage: options.storage }),
  });
  const guards: Provider[] =
    wiring === 'app-guards'
      ? [
          { provide: APP_GUARD, useClass: ProviderAuthGuard },
          { provide: APP_GUARD, useClass: ProviderThrottlerGuard },
        ]
      : wiring === 'app-guards-reversed'
        ? [
            { provide: APP_GUARD, useClass: ProviderThrottlerGuard },
            { provide: APP_GUARD, useClass: ProviderAuthGuard },
          ]
        : wiring === 'global-guard' || wiring === 'throttler-app-guard'
          ? [{ provide: APP_GUARD, useClass: ProviderThrottlerGuard }]
          : [];
  const auth = ProviderAuthModule.forRoot({
    globalGuard: wiring === 'global-guard',
    incoming: { jwtSecret: JWT_SECRET, errorFormat: options.errorFormat, apiKeyStore: options.apiKeyStore ?? new InMemoryApiKeyStore() },
  });
  const logger = new CapturingLogger();
  const keyIds = new Map<string, string>();
  const mod = await Test.createTestingModule({
    imports: options.withoutAuthModule ? [throttler] : [auth, throttler],
    controllers: options.controllers ?? [Routes],
    providers: guards,
  })
    .setLogger(logger)
    .compile();
  const app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter({ trustProxy: true })) : mod.createNestApplication();
  if (adapter === 'express') (app as NestExpressApplication).set('trust proxy', true);
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return {
    app,
    logger,
    get: (path, credential, ip) => {
      let r = request(app.getHttpServer()).get(path);
      if (credential) r = r.set('Authorization', `Bearer ${credential}`);
      if (ip) r = r.set('X-Forwarded-For', ip);
      return r;
    },
    apiKey: async (label = 'k') => {
      const { id, key } = await app.get(ApiKeyService).create({ label, scopes: ['campaigns:read'] });
      secretAudit.registerSecret(key);
      keyIds.set(key, id);
      return key;
    },
    revoke: async (key) => {
      if (!(await app.get(ApiKeyService).revoke(keyIds.get(key) ?? ''))) throw new Error('revoke: not a live key of this app');
    },
    userToken: async (sub, plan) => {
      const pair = await app.get(TokenService).issue({ sub, role: 'member', ...(plan !== undefined && { plan }) });
      secretAudit.registerSecret(pair.access_token, pair.refresh_token);
      return pair.access_token;
    },
    close: () => app.close(),
  };
}

/** Sends `count` requests one after another; answers their statuses. */
export async function statuses(count: number, send: () => request.Test): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await send()).status);
  return out;
}

/** `n` times 200, then `refused` times 429. */
export function exactly(n: number, refused = 1): number[] {
  return [...Array<number>(n).fill(200), ...Array<number>(refused).fill(429)];
}
