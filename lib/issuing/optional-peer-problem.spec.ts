import { optionalPeerProblem } from './optional-peer-problem.js';

/** The errors Node and Jest throw, as they throw them (code and message), for each way a peer may fail to load. */
const error = (code: string | undefined, message: string) => Object.assign(new Error(message), code ? { code } : {});

describe('optionalPeerProblem', () => {
  it('not installed: says to install it (CommonJS and ESM resolvers word it differently)', () => {
    for (const e of [
      error('MODULE_NOT_FOUND', "Cannot find module '@nestjs/jwt' from 'dist/cjs/issuing/hs256-jwt.js'"),
      error('ERR_MODULE_NOT_FOUND', "Cannot find package '@nestjs/jwt' imported from /app/node_modules/nest-provider-auth/dist/issuing/hs256-jwt.js"),
    ]) {
      expect(optionalPeerProblem('@nestjs/jwt', e, '@nestjs/jwt')).toBe(
        "needs the package '@nestjs/jwt' (an optional peer dependency, used only by the incoming half): npm install @nestjs/jwt",
      );
    }
  });

  it('installed but ESM under a CommonJS runtime (Jest in a Nest 11 app with @nestjs/jwt 12): says which version to install', () => {
    for (const e of [
      error(undefined, 'Must use import to load ES Module: /app/node_modules/@nestjs/jwt/dist/index.js'),
      error('ERR_REQUIRE_ESM', 'require() of ES Module /app/node_modules/@nestjs/jwt/dist/index.js not supported.'),
    ]) {
      const text = optionalPeerProblem('@nestjs/jwt', e, '@nestjs/jwt');
      expect(text).toMatch(/^'@nestjs\/jwt' is installed but cannot be loaded here/);
      expect(text).toContain('npm install @nestjs/jwt@^11');
    }
  });

  it('a module not found that is another one (a dependency of the peer) is not "install the peer"', () => {
    const text = optionalPeerProblem('@nestjs/jwt', error('MODULE_NOT_FOUND', "Cannot find module 'jsonwebtoken'"), '@nestjs/jwt');
    expect(text).toBe("'@nestjs/jwt' is installed but could not be loaded (Error)");
  });
});
