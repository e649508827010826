/**
 * A @Scopes() naming a scope outside the configured catalogue (`incoming.scopes`, default the
 * twelve documented ones) would lock its route: no credential can hold the scope, so everyone,
 * admins included, gets 403. The app must not start; the error names the class, the method and
 * the scope, with the scope a typo most likely meant.
 */
import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  ApiKeyService,
  ProviderAuthConfigError,
  ProviderAuthGuard,
  ProviderAuthModule,
  Public,
  Scopes,
  ScopesMetadata,
  TokenService,
  type IncomingOptions,
  type Scope,
} from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';

const JWT_SECRET = 'unknown-scopes-secret-0123456789abcdef';

/**
 * Scopes this project's types do not know: the suite compiles against the default catalogue, so a
 * custom catalogue's scopes (or a deliberate typo) are cast. An app would augment ProviderAuthScopes
 * instead (see type-tests/scopes/custom-catalogue).
 */
const untyped = (...scopes: string[]) => scopes as Scope[];

@Controller('typo')
class TypoOnAMethod {
  @Scopes(...untyped('campaign:read')) @Get('x') list() {
    return 1;
  }
  @Scopes('campaigns:read') @Get('fine') fine() {
    return 1;
  }
}

@Controller('class-typo')
@Scopes(...untyped('analytics:reed'))
class TypoOnTheClass {
  @Get('x') report() {
    return 1;
  }
}

@Controller('two')
class KnownAndUnknownTogether {
  @Scopes('links:read', ...untyped('links:wrtie', 'reports:read')) @Get('x') both() {
    return 1;
  }
}

/** The metadata is checked, not the decorator call: a route keyed with ScopesMetadata directly too. */
@Controller('raw')
class RawMetadata {
  @ScopesMetadata(['Campaigns:Read']) @Get('x') raw() {
    return 1;
  }
}

/** A provider (a resolver, say) is checked too. */
@Injectable()
class ResolverLike {
  @Scopes(...untyped('payout:write')) resolve() {
    return 1;
  }
}

@Module({ controllers: [TypoOnTheClass] })
class FeatureModule {}

@Controller('reports')
@UseGuards(ProviderAuthGuard)
class Reports {
  @Scopes(...untyped('reports:read')) @Get() read() {
    return { ok: true };
  }
  @Scopes(...untyped('reports:write')) @Get('write') write() {
    return { ok: true };
  }
}

@Controller('campaigns')
class DefaultScopeRoute {
  @Scopes('campaigns:read') @Get() list() {
    return 1;
  }
}

@Controller('contradiction')
class PublicAndTypo {
  @Public() @Scopes(...untyped('campaign:read')) @Get('x') both() {
    return 1;
  }
}

async function start(controllers: unknown[], options: { incoming?: Partial<IncomingOptions>; providers?: unknown[]; imports?: unknown[] } = {}) {
  const logger = new CapturingLogger();
  const mod = await Test.createTestingModule({
    imports: [
      ProviderAuthModule.forRoot(options.incoming === undefined ? {} : { incoming: { jwtSecret: JWT_SECRET, ...options.incoming } }),
      ...((options.imports ?? []) as never[]),
    ],
    controllers: controllers as never[],
    providers: (options.providers ?? []) as never[],
  })
    .setLogger(logger)
    .compile();
  const app = mod.createNestApplication();
  app.useLogger(logger);
  await app.init();
  return app;
}

async function bootstrapError(...args: Parameters<typeof start>): Promise<ProviderAuthConfigError | undefined> {
  try {
    await (await start(...args)).close();
    return undefined;
  } catch (e) {
    if (!(e instanceof ProviderAuthConfigError)) throw e;
    secretAudit.recordError('bootstrap', e);
    return e;
  }
}

describe('an unknown scope in @Scopes() stops the app at bootstrap', () => {
  beforeAll(() => secretAudit.registerSecret(JWT_SECRET));

  it.each([
    [
      'on a method',
      [TypoOnAMethod],
      [],
      'TypoOnAMethod.list',
      "@Scopes('campaign:read'): 'campaign:read' is not in the scope catalogue (did you mean 'campaigns:read'?)",
    ],
    [
      'on a class',
      [TypoOnTheClass],
      [],
      'TypoOnTheClass',
      "@Scopes('analytics:reed'): 'analytics:reed' is not in the scope catalogue (did you mean 'analytics:read'?)",
    ],
    [
      'set through ScopesMetadata, differing only in case',
      [RawMetadata],
      [],
      'RawMetadata.raw',
      "@Scopes('Campaigns:Read'): 'Campaigns:Read' is not in the scope catalogue (did you mean 'campaigns:read'?)",
    ],
    [
      'on a provider method',
      [],
      [ResolverLike],
      'ResolverLike.resolve',
      "@Scopes('payout:write'): 'payout:write' is not in the scope catalogue (did you mean 'payouts:write'?)",
    ],
  ])('%s: names where it is and the scope', async (_, controllers, providers, path, problem) => {
    const err = await bootstrapError(controllers, { incoming: {}, providers });
    expect(err).toBeInstanceOf(ProviderAuthConfigError);
    expect(err!.issues).toEqual([{ path, problem }]);
    expect(err!.message).toContain(`${path}: ${problem}`);
    expect(err!.message).not.toContain(JWT_SECRET);
  });

  it('names each unknown scope of a list, and no known one; with no likely meaning, points at incoming.scopes', async () => {
    const err = await bootstrapError([KnownAndUnknownTogether], { incoming: {} });
    const stating = "@Scopes('links:read', 'links:wrtie', 'reports:read')";
    expect(err!.issues).toEqual([
      { path: 'KnownAndUnknownTogether.both', problem: `${stating}: 'links:wrtie' is not in the scope catalogue (did you mean 'links:write'?)` },
      { path: 'KnownAndUnknownTogether.both', problem: `${stating}: 'reports:read' is not in the scope catalogue (incoming.scopes)` },
    ]);
  });

  it('reports every problem at once: imported modules, providers, and contradictions beside unknown scopes', async () => {
    const err = await bootstrapError([TypoOnAMethod, PublicAndTypo], { incoming: {}, providers: [ResolverLike], imports: [FeatureModule] });
    const typo = (scope: string, meant: string) => `@Scopes('${scope}'): '${scope}' is not in the scope catalogue (did you mean '${meant}'?)`;
    expect([...err!.issues].sort((a, b) => `${a.path} ${a.problem}`.localeCompare(`${b.path} ${b.problem}`))).toEqual([
      { path: 'PublicAndTypo.both', problem: typo('campaign:read', 'campaigns:read') },
      { path: 'PublicAndTypo.both', problem: expect.stringContaining('has both @Public() and @Scopes()') },
      { path: 'ResolverLike.resolve', problem: typo('payout:write', 'payouts:write') },
      { path: 'TypoOnAMethod.list', problem: typo('campaign:read', 'campaigns:read') },
      { path: 'TypoOnTheClass', problem: typo('analytics:reed', 'analytics:read') },
    ]);
  });

  it('starts when every scope is in the catalogue', async () => {
    await expect(bootstrapError([DefaultScopeRoute], { incoming: {} })).resolves.toBeUndefined();
  });
});

describe('a custom catalogue (incoming.scopes)', () => {
  const scopes = ['reports:read', 'reports:write'];

  it('accepts routes that use its scopes, and the guard enforces them', async () => {
    const app = await start([Reports], { incoming: { scopes } });
    const { key } = await app.get(ApiKeyService).create({ label: 'reporting', scopes: untyped('reports:read') });
    const { access_token } = await app.get(TokenService).issue({ sub: 'u1', role: 'admin' });
    secretAudit.registerSecret(key, access_token);
    const get = (path: string, token: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
    await get('/reports', key).expect(200);
    await get('/reports/write', key).expect(403);
    await get('/reports/write', access_token).expect(200); // admin holds every scope of the catalogue
    await app.close();
  });

  it('refuses a default scope it does not contain', async () => {
    const err = await bootstrapError([Reports, DefaultScopeRoute], { incoming: { scopes } });
    expect(err!.issues).toEqual([
      { path: 'DefaultScopeRoute.list', problem: "@Scopes('campaigns:read'): 'campaigns:read' is not in the scope catalogue (incoming.scopes)" },
    ]);
  });

  it('is read from forRootAsync options too', async () => {
    const built = Test.createTestingModule({
      imports: [ProviderAuthModule.forRootAsync({ useFactory: async () => ({ incoming: { jwtSecret: JWT_SECRET, scopes } }) })],
      controllers: [Reports, DefaultScopeRoute],
    })
      .setLogger(new CapturingLogger())
      .compile()
      .then((m) => m.createNestApplication().init());
    await expect(built).rejects.toThrow("DefaultScopeRoute.list: @Scopes('campaigns:read'): 'campaigns:read' is not in the scope catalogue (incoming.scopes)");
  });

  it('suggests from its own scopes', async () => {
    const err = await bootstrapError([TypoOnAMethod], { incoming: { scopes: ['campaigns:read', 'campaigns:list'] } });
    expect(err!.issues).toEqual([
      { path: 'TypoOnAMethod.list', problem: "@Scopes('campaign:read'): 'campaign:read' is not in the scope catalogue (did you mean 'campaigns:read'?)" },
    ]);
  });
});

describe('without incoming', () => {
  it('does not check scopes: nothing in this module enforces them then (ProviderAuthGuard itself refuses to start)', async () => {
    await expect(bootstrapError([TypoOnAMethod, TypoOnTheClass])).resolves.toBeUndefined();
    const err = await bootstrapError([Reports]);
    expect(err!.message).toMatch(/incoming: is not configured, but ProviderAuthGuard is used/);
  });
});
