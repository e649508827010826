import type { Config } from 'jest';

// Nest 12 is ESM-only, so Jest runs in ESM mode (node --experimental-vm-modules; see package.json).
const config: Config = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/lib', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // The secret audit watches every test file: logs, stdout/stderr, client errors, request URLs.
  setupFilesAfterEnv: ['<rootDir>/test/support/audit-setup.ts'],
  testTimeout: 20_000,
};

export default config;
