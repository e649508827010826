import type { Config } from 'jest';

// Nest 12 is ESM-only, so Jest runs in ESM mode (node --experimental-vm-modules; see package.json).
const config: Config = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/lib', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  // Users' apps, installed and tested by test/packaging/packed-apps.packed-spec.ts in directories of their own.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/packaging/nest1[12]-cli-app/'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
    '/test/support/nestjs-throttler\\.mjs$': '<rootDir>/test/support/cjs-package-as-esm.mjs',
  },
  moduleNameMapper: {
    // @nestjs/throttler is CommonJS and require()s Nest; Nest 12 is ESM only, which Jest's CommonJS
    // runtime cannot require (plain Node can): Jest gets it as one ES module instead.
    '^@nestjs/throttler$': '<rootDir>/test/support/nestjs-throttler.mjs',
    // mercurius require()s @fastify/static, which require()s content-disposition 3 (ES module only;
    // plain Node >= 20.19 can require it, Jest's CommonJS runtime cannot): Jest gets 2.x, the same
    // API (create, parse, format) as CommonJS, the copy Express uses.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // The secret audit watches every test file: logs, stdout/stderr, client errors, request URLs.
  setupFilesAfterEnv: ['<rootDir>/test/support/audit-setup.ts'],
  testTimeout: 20_000,
};

// NEST_MAJOR=11: the same suite against Nest 11, installed apart in .ci/nest11 (npm aliases cannot
// do it: Nest's packages import each other by name). Every import of a @nestjs package, ours and
// Nest's own, resolves there; passport too, so that the strategy the tests use and the one
// @nestjs/passport registers live in the same passport.
if (process.env.NEST_MAJOR === '11') {
  const nest11 = '<rootDir>/.ci/nest11/node_modules';
  config.moduleNameMapper = {
    '^@nestjs/(common|core|jwt|passport|microservices|platform-express|platform-fastify|swagger|testing|throttler|websockets|platform-socket.io|platform-ws|graphql|apollo|mercurius|terminus)((/.*)?)$': `${nest11}/@nestjs/$1$2`,
    '^passport$': `${nest11}/passport`,
    // One graphql for @nestjs/graphql 13, its drivers and the tests.
    '^graphql((/.*)?)$': `${nest11}/graphql$1`,
    // One rxjs for Nest, the module and the tests, as in an app: Nest 11 tells an Observable a route
    // returns by `instanceof` its own rxjs's class.
    '^rxjs((/.*)?)$': `${nest11}/rxjs$1`,
    ...config.moduleNameMapper,
  };
}

export default config;
