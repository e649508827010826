import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();

interface ExportEntry {
  types: string;
  default: string;
}

/** The packaging contract: what package.json promises exists after a build and loads in plain Node. */
describe('published package', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    type: string;
    exports: Record<string, ExportEntry | string>;
    types: string;
    main: string;
  };

  beforeAll(async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root });
  }, 120_000);

  it('is ESM and every file named in exports/types/main exists after the build', () => {
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json', './redis', './testing']);
    const files = [pkg.main, pkg.types];
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === 'string') files.push(entry);
      else files.push(entry.types, entry.default);
    }
    for (const f of files) expect(existsSync(join(root, f))).toBe(true);
  });

  it('loads by its name in a real Node process, with the public names', async () => {
    const script = `
      import 'reflect-metadata';
      import * as main from 'nest-provider-auth';
      import * as testing from 'nest-provider-auth/testing';
      import * as redis from 'nest-provider-auth/redis';
      console.log(JSON.stringify({
        module: typeof main.ProviderAuthModule.forRoot,
        asyncModule: typeof main.ProviderAuthModule.forRootAsync,
        clients: [typeof main.AffilyncClient, typeof main.ConvertlyClient],
        errors: typeof main.ProviderAuthError === 'function' && new main.ProviderAuthError({ provider: 'affilync', message: 'x', retryable: false }) instanceof main.ProviderApiError,
        store: typeof main.TokenStore,
        emulator: typeof testing.ProviderEmulator.start,
        redis: [typeof redis.RedisTokenStore, typeof redis.RedisRefreshTokenStore, typeof redis.RedisApiKeyStore],
      }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({
      module: 'function',
      asyncModule: 'function',
      clients: ['function', 'function'],
      errors: true,
      store: 'symbol',
      emulator: 'function',
      redis: ['function', 'function', 'function'],
    });
  });

  it('ships no test files', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: root });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files.some((f) => /\.spec\./.test(f))).toBe(false);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/testing/index.js');
    expect(files).toContain('dist/redis/index.js');
  });
});
