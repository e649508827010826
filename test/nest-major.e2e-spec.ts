/**
 * Which Nest major this run of the suite uses: .ci/run runs it twice, on the repository's Nest 12
 * and with NEST_MAJOR=11 on .ci/nest11's Nest 11 (see jest.config.ts). If that mapping silently
 * stopped working, the second run would test Nest 12 again; this pins it.
 */
import { createRequire } from 'node:module';

// Under Jest this require goes through Jest's resolver, moduleNameMapper included.
const requireHere = createRequire(import.meta.url);

describe('the Nest major under test', () => {
  // The packages whose package.json is reachable (Nest 12's @nestjs/testing and @nestjs/jwt do not export it).
  it.each(['@nestjs/common', '@nestjs/core', '@nestjs/passport', '@nestjs/platform-express', '@nestjs/platform-fastify'])(
    '%s is the major NEST_MAJOR names (default 12)',
    (name) => {
      const { version } = requireHere(`${name}/package.json`) as { version: string };
      expect(version.split('.')[0]).toBe(process.env.NEST_MAJOR ?? '12');
    },
  );
});
