/**
 * A user's app with a /health route on @nestjs/terminus, wired as docs/health.md shows:
 * ProviderAuthModule global, a HealthModule importing TerminusModule and providing
 * ProviderAuthHealthIndicator. On Express or Fastify, listening on a loopback port.
 */
import { Controller, Get, Inject, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ProviderAuthModule, type ProviderAuthModuleOptions } from '../../lib/index.js';
import { ProviderAuthHealthIndicator, type ProviderAuthHealthOptions } from '../../lib/terminus/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];
export const JWT_SECRET = 'a-health-check-test-secret-of-32-bytes!';

const CHECK_OPTIONS = Symbol('CHECK_OPTIONS');

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly providerAuth: ProviderAuthHealthIndicator,
    @Inject(CHECK_OPTIONS) private readonly options: ProviderAuthHealthOptions,
  ) {}

  @Get()
  check() {
    return this.health.check([() => this.providerAuth.isHealthy('provider-auth', this.options)]);
  }

  /** The same, with a revocation feed that is down reported up (with a warning). */
  @Get('lenient')
  lenient() {
    return this.health.check([() => this.providerAuth.isHealthy('provider-auth', { ...this.options, whenRevocationFeedDown: 'up' })]);
  }
}

@Module({})
class HealthModule {
  static register(options: ProviderAuthHealthOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [ProviderAuthHealthIndicator, { provide: CHECK_OPTIONS, useValue: options }],
    };
  }
}

export interface HealthApp {
  app: INestApplication;
  logger: CapturingLogger;
  get(path?: string): request.Test;
  close(): Promise<void>;
}

export async function startHealthApp(adapter: AdapterName, auth: ProviderAuthModuleOptions, check: ProviderAuthHealthOptions = {}): Promise<HealthApp> {
  const logger = new CapturingLogger();
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ ...auth, isGlobal: true }), HealthModule.register(check)],
  })
    .setLogger(logger)
    .compile();
  const app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter()) : mod.createNestApplication();
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return {
    app,
    logger,
    get: (path = '/health') => request(app.getHttpServer()).get(path),
    close: () => app.close(),
  };
}

/** Polls until `probe` stops throwing (Redis reconnects in the background), or rethrows its last failure. */
export async function eventually(probe: () => Promise<void>, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
