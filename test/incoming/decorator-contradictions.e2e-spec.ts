/**
 * @Public() beside @Roles/@Scopes on the same method (or class) cannot mean both: the app must not
 * start, and the error names the controller and method. Decorators that only override each other
 * across method and class start normally (their precedence is pinned in the adversarial suite).
 */
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ProviderAuthConfigError, ProviderAuthModule, Public, Roles, Scopes } from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';

const incoming = { jwtSecret: 'decorator-contradictions-secret-0123456789' };

@Controller('a')
class PublicAndRolesOnAMethod {
  @Public() @Roles('admin') @Get('x') both() {
    return 1;
  }
  @Get('fine') fine() {
    return 1;
  }
}

@Controller('b')
class PublicAndScopesOnAMethod {
  @Scopes('links:read') @Public() @Get('x') both() {
    return 1;
  }
}

@Controller('c')
class PublicAndEmptyScopesOnAMethod {
  @Public() @Scopes() @Get('x') both() {
    return 1;
  }
}

@Controller('d')
@Public()
@Roles('member')
class PublicAndRolesOnTheClass {
  @Get('x') plain() {
    return 1;
  }
}

/** Not contradictions: each target states one thing. */
@Controller('e')
@Public()
class PublicClassWithGuardedMethods {
  @Roles('admin') @Get('x') admin() {
    return 1;
  }
  @Scopes('links:read') @Get('y') scoped() {
    return 1;
  }
}

@Controller('f')
@Roles('admin')
class GuardedClassWithPublicMethod {
  @Public() @Get('x') open() {
    return 1;
  }
}

/** A provider (a resolver, say) is checked too. */
@Injectable()
class ResolverLike {
  @Public() @Roles('admin') resolve() {
    return 1;
  }
}

@Module({ controllers: [PublicAndScopesOnAMethod] })
class FeatureModule {}

async function bootstrapError(controllers: unknown[], providers: unknown[] = [], imports: unknown[] = []): Promise<ProviderAuthConfigError | undefined> {
  const logger = new CapturingLogger();
  try {
    const mod = await Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ incoming }), ...(imports as never[])],
      controllers: controllers as never[],
      providers: providers as never[],
    })
      .setLogger(logger)
      .compile();
    const app = mod.createNestApplication();
    app.useLogger(logger);
    await app.init();
    await app.close();
    return undefined;
  } catch (e) {
    if (!(e instanceof ProviderAuthConfigError)) throw e;
    return e;
  }
}

describe('contradicting decorators stop the app at bootstrap', () => {
  it.each([
    ['@Public() and @Roles() on one method', [PublicAndRolesOnAMethod], [], 'PublicAndRolesOnAMethod.both', '@Roles()'],
    ['@Public() and @Scopes() on one method', [PublicAndScopesOnAMethod], [], 'PublicAndScopesOnAMethod.both', '@Scopes()'],
    ['@Public() and an empty @Scopes() on one method', [PublicAndEmptyScopesOnAMethod], [], 'PublicAndEmptyScopesOnAMethod.both', '@Scopes()'],
    ['@Public() and @Roles() on one class', [PublicAndRolesOnTheClass], [], 'PublicAndRolesOnTheClass', '@Roles()'],
    ['@Public() and @Roles() on a provider method', [], [ResolverLike], 'ResolverLike.resolve', '@Roles()'],
  ])('%s', async (_, controllers, providers, path, which) => {
    const err = await bootstrapError(controllers, providers);
    expect(err).toBeInstanceOf(ProviderAuthConfigError);
    expect(err!.issues).toEqual([{ path, problem: expect.stringContaining(`@Public() and ${which}`) }]);
    expect(err!.message).toContain(path);
  });

  it('finds a contradiction in an imported feature module, and every one at once', async () => {
    const err = await bootstrapError([PublicAndRolesOnAMethod, PublicAndRolesOnTheClass], [], [FeatureModule]);
    expect(err!.issues.map((i) => i.path).sort()).toEqual(['PublicAndRolesOnAMethod.both', 'PublicAndRolesOnTheClass', 'PublicAndScopesOnAMethod.both']);
  });

  it('starts when each method and class states one thing', async () => {
    await expect(bootstrapError([PublicClassWithGuardedMethods, GuardedClassWithPublicMethod])).resolves.toBeUndefined();
  });
});
