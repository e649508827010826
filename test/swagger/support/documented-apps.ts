/**
 * Users' apps whose OpenAPI documents the tests check route by route: one under ProviderAuthModule's
 * globalGuard (global prefix, URI versioning, Affilync errors, a plan gate), one whose controllers
 * list ProviderAuthGuard themselves (Convertly errors, ProviderThrottlerGuard as an APP_GUARD).
 */
import { Controller, Delete, Get, Injectable, Post, UseGuards, Version, VersioningType, type CanActivate, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiOperation, ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { SkipThrottle, ThrottlerModule } from '@nestjs/throttler';
import { ProviderAuthGuard, ProviderAuthModule, Public, Roles, Scopes } from '../../../lib/index.js';
import { ProviderThrottlerGuard } from '../../../lib/throttler/index.js';

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: AdapterName[] = ['express', 'fastify'];
export const JWT_SECRET = 'an-openapi-test-secret-of-32-bytes!!';

/** A guard of the user's own: the library cannot tell what it asks for. */
@Injectable()
export class PartnerHeaderGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/** A subclass of ours, as users write to adapt it. */
@Injectable()
export class AuditedAuthGuard extends ProviderAuthGuard {}

// --- the globalGuard app ----------------------------------------------------------------------

@Controller('campaigns')
@Scopes('campaigns:read')
export class CampaignsController {
  @Get() list() {
    return [];
  }

  @Post()
  @Scopes('campaigns:write')
  @ApiOperation({ description: 'Creates a campaign.' })
  create() {}

  @Delete(':id')
  @Roles('admin')
  remove() {}

  @Get('health')
  @Public()
  health() {}

  @Get(':id')
  @ApiResponse({ status: 403, description: 'Not your campaign' })
  get() {}

  @Get(':id/stats')
  @Version('2')
  @Scopes()
  stats() {}
}

@Controller('status')
@Public()
export class StatusController {
  @Get() status() {}

  @Get('private')
  @Scopes('analytics:read')
  private_() {}
}

@Controller('partners')
@UseGuards(PartnerHeaderGuard)
export class PartnersController {
  @Get('feed') @Public() feed() {}

  @Get() @Scopes('affiliates:read') list() {}
}

// --- the per-route app --------------------------------------------------------------------------

@Controller('reports')
@UseGuards(ProviderAuthGuard)
@Scopes('analytics:read')
export class ReportsController {
  @Get() list() {}

  @Get('summary') @Roles('member') @Scopes() summary() {}

  @Get('export') @SkipThrottle() export_() {}
}

@Controller('mixed')
export class MixedController {
  @Get('ping') ping() {}

  @Get('secret') @UseGuards(AuditedAuthGuard) @Scopes('links:read') secret() {}

  @Get('partner') @UseGuards(PartnerHeaderGuard) partner() {}

  @Get('documented') @ApiBearerAuth('partner-key') documented() {}
}

export interface DocumentedApp {
  app: INestApplication;
  document: OpenAPIObject;
  close(): Promise<void>;
}

async function start(adapter: AdapterName, moduleDef: Parameters<typeof Test.createTestingModule>[0], setup: (app: INestApplication) => void) {
  const moduleRef = await Test.createTestingModule(moduleDef).compile();
  const app = adapter === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter()) : moduleRef.createNestApplication();
  setup(app);
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return app;
}

/** globalGuard: true, prefix 'api', URI versioning with default version 1, Affilync errors, plans. */
export async function globalGuardApp(adapter: AdapterName, swaggerOptions: { ignoreGlobalPrefix?: boolean } = {}): Promise<DocumentedApp> {
  const app = await start(
    adapter,
    {
      imports: [
        ProviderAuthModule.forRoot({
          incoming: { jwtSecret: JWT_SECRET, errorFormat: 'affilync', allowedPlans: ['growth', 'scale'] },
          globalGuard: true,
        }),
      ],
      controllers: [CampaignsController, StatusController, PartnersController],
      providers: [PartnerHeaderGuard],
    },
    (a) => {
      a.setGlobalPrefix('api');
      a.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
    },
  );
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Campaigns').build(), swaggerOptions);
  return { app, document, close: () => app.close() };
}

/** ProviderAuthGuard per controller or method, ProviderThrottlerGuard as APP_GUARD, Convertly errors. */
export async function perRouteApp(adapter: AdapterName): Promise<DocumentedApp> {
  const app = await start(
    adapter,
    {
      imports: [
        ProviderAuthModule.forRoot({ incoming: { jwtSecret: JWT_SECRET, errorFormat: 'convertly' } }),
        ThrottlerModule.forRoot([{ ttl: 60_000, limit: 100 }]),
      ],
      controllers: [ReportsController, MixedController],
      providers: [PartnerHeaderGuard, AuditedAuthGuard, { provide: APP_GUARD, useClass: ProviderThrottlerGuard }],
    },
    () => {},
  );
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('Reports').addBearerAuth(undefined, 'partner-key').build());
  return { app, document, close: () => app.close() };
}
