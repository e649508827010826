// cjs-package-as-esm: @nestjs/throttler
// Replaced in Jest by test/support/cjs-package-as-esm.mjs with @nestjs/throttler as one ES module (see jest.config.ts).
