/**
 * The packed package, installed with plain `npm install` into apps as users make them:
 * - an ESM app with only the required peers (@nestjs/common, @nestjs/core, reflect-metadata, rxjs)
 *   calls a client: the incoming half's optional peers are not needed;
 * - the same app plus @nestjs/jwt and @nestjs/platform-express guards a route;
 * - a Nest 11 app as its CLI generates it (CommonJS, Jest with ts-jest, tsconfig unchanged), and a
 *   Nest 12 app as its CLI generates it (ESM, Vitest): each builds, boots against the emulator
 *   with Nest's own startup lines, and passes an e2e test that uses ProviderEmulator.
 * Run by `npm run test:packed` (network: the npm registry), which .ci/run calls.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = process.cwd();
const rootPackage = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let work: string;
let tarball: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'npa-packed-'));
  await run('npm', ['run', 'build'], { cwd: root });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root });
  tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0].filename);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh app directory with this package.json and files, installed with `npm install`. */
async function app(name: string, pkg: Record<string, unknown>, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, ...pkg }, null, 2));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  await run('npm', ['install', '--prefer-offline', '--no-package-lock'], { cwd: dir, env: npmEnv, maxBuffer: 16 * 2 ** 20 });
  return dir;
}

const installed = async (dir: string, name: string) =>
  (
    await run(process.execPath, ['-e', `try { require.resolve(${JSON.stringify(name)}); console.log('yes') } catch { console.log('no') }`], { cwd: dir })
  ).stdout.trim();

/** A stand-in Affilync that answers GET /api/campaigns to the right key (in the app's own process). */
const FAKE_AFFILYNC = `
import { createServer } from 'node:http';
export function fakeAffilync(key) {
  const server = createServer((req, res) => {
    const ok = req.url === '/api/campaigns' && req.headers.authorization === 'Bearer ' + key;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { data: [{ id: 'camp_1' }], meta: { page: 1, per_page: 20, total: 1 } } : { detail: 'no', error_code: 'TOKEN_INVALID', status: 401 }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
`;

describe('the packed package in apps made by users', () => {
  it('an ESM app with only the required peers calls a client; the incoming peers are absent', async () => {
    const dir = await app(
      'clients-only',
      {
        type: 'module',
        dependencies: {
          'nest-provider-auth': `file:${tarball}`,
          '@nestjs/common': rootPackage('@nestjs/common'),
          '@nestjs/core': rootPackage('@nestjs/core'),
          'reflect-metadata': rootPackage('reflect-metadata'),
          rxjs: rootPackage('rxjs'),
        },
      },
      {
        'fake.mjs': FAKE_AFFILYNC,
        'main.mjs': `
          import 'reflect-metadata';
          import { Module } from '@nestjs/common';
          import { NestFactory } from '@nestjs/core';
          import { AffilyncClient, ProviderAuthModule } from 'nest-provider-auth';
          import { fakeAffilync } from './fake.mjs';
          const key = 'afk_live_' + 'k'.repeat(40);
          const server = await fakeAffilync(key);
          class AppModule {}
          Module({ imports: [ProviderAuthModule.forRoot({ affilync: { apiKey: key, baseUrl: 'http://127.0.0.1:' + server.address().port + '/api' } })] })(AppModule);
          const ctx = await NestFactory.createApplicationContext(AppModule, { logger: ['error'] });
          const page = await ctx.get(AffilyncClient).get('/campaigns');
          console.log(JSON.stringify(page.data));
          await ctx.close();
          server.close();
        `,
      },
    );
    expect({ jwt: await installed(dir, '@nestjs/jwt'), passport: await installed(dir, '@nestjs/passport') }).toEqual({ jwt: 'no', passport: 'no' });
    const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: dir });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual([{ id: 'camp_1' }]);
  }, 300_000);

  it('with @nestjs/jwt added, the same app guards a route; without it, incoming fails at bootstrap naming the package', async () => {
    const files = {
      'main.mjs': `
        import 'reflect-metadata';
        import { Controller, Get, Module } from '@nestjs/common';
        import { NestFactory } from '@nestjs/core';
        import { ProviderAuthModule, Scopes, TokenService } from 'nest-provider-auth';
        class Routes { list() { return { ok: true }; } }
        Controller()(Routes);
        Reflect.decorate([Get('campaigns'), Scopes('campaigns:read')], Routes.prototype, 'list', Object.getOwnPropertyDescriptor(Routes.prototype, 'list'));
        class AppModule {}
        Module({ imports: [ProviderAuthModule.forRoot({ globalGuard: true, incoming: { jwtSecret: 'a-packed-app-secret-long-enough-32b' } })], controllers: [Routes] })(AppModule);
        try {
          const app = await NestFactory.create(AppModule, { logger: ['error'], abortOnError: false });
          await app.listen(0, '127.0.0.1');
          const url = await app.getUrl();
          const { access_token } = await app.get(TokenService).issue({ sub: 'u1', role: 'member' });
          const none = await fetch(url + '/campaigns');
          const member = await fetch(url + '/campaigns', { headers: { authorization: 'Bearer ' + access_token } });
          console.log(JSON.stringify({ none: none.status, member: member.status, body: await member.json() }));
          await app.close();
        } catch (error) {
          console.log(JSON.stringify({ error: error.name, message: error.message }));
        }
      `,
    };
    const deps = {
      'nest-provider-auth': `file:${tarball}`,
      '@nestjs/common': rootPackage('@nestjs/common'),
      '@nestjs/core': rootPackage('@nestjs/core'),
      '@nestjs/platform-express': rootPackage('@nestjs/platform-express'),
      'reflect-metadata': rootPackage('reflect-metadata'),
      rxjs: rootPackage('rxjs'),
    };
    const without = await app('guard-without-jwt', { type: 'module', dependencies: deps }, files);
    const refused = JSON.parse((await run(process.execPath, ['main.mjs'], { cwd: without })).stdout.trim().split('\n').pop()!);
    expect(refused).toEqual({ error: 'ProviderAuthConfigError', message: expect.stringContaining("needs the package '@nestjs/jwt'") });

    const withJwt = await app('guard-with-jwt', { type: 'module', dependencies: { ...deps, '@nestjs/jwt': rootPackage('@nestjs/jwt') } }, files);
    const answered = JSON.parse((await run(process.execPath, ['main.mjs'], { cwd: withJwt })).stdout.trim().split('\n').pop()!);
    expect(answered).toEqual({ none: 401, member: 200, body: { ok: true } });
  }, 300_000);

  /** A copy of a CLI-made app from test/packaging, with this package added to its dependencies, installed. */
  async function cliApp(name: string): Promise<string> {
    const dir = join(work, name);
    cpSync(join(root, 'test/packaging', name), dir, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    pkg.dependencies['nest-provider-auth'] = `file:${tarball}`;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    await run('npm', ['install', '--prefer-offline', '--no-package-lock'], { cwd: dir, env: npmEnv, maxBuffer: 16 * 2 ** 20 });
    await run('npm', ['run', 'build'], { cwd: dir });
    return dir;
  }

  /** Boots the app like `npm run start:prod`: Nest's own startup lines are printed, and the routes answer. */
  async function expectBoots(dir: string): Promise<void> {
    const { stdout } = await run(process.execPath, ['dist/check-boot.js'], { cwd: dir, timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result).toEqual({ none: 401, member: 200, campaigns: 3 });
    expect(stdout).toMatch(/Nest application successfully started/);
  }

  const settled = (p: Promise<{ stdout: string; stderr: string }>) => p.catch((e: { stdout: string; stderr: string }) => e);

  it('a Nest 11 app as its CLI makes it (CommonJS, Jest) installs it, builds, boots and passes its e2e test with the emulator', async () => {
    const dir = await cliApp('nest11-cli-app');
    // Installed with plain npm install, and npm sees no peer conflict afterwards.
    await expect(run('npm', ['ls', '--all'], { cwd: dir, maxBuffer: 16 * 2 ** 20 })).resolves.toBeDefined();
    const e2e = await settled(run('npm', ['run', 'test:e2e', '--', '--ci'], { cwd: dir }));
    expect(e2e.stderr).toMatch(/Tests:\s+5 passed, 5 total/);
    await expectBoots(dir);
    // Nest 11.0's CLI wrote "module": "commonjs" (node10 resolution: no exports map; typesVersions instead).
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    const { moduleResolution: _resolution, resolvePackageJsonExports: _exports, ...older } = tsconfig.compilerOptions;
    writeFileSync(
      join(dir, 'tsconfig.commonjs.json'),
      JSON.stringify({ compilerOptions: { ...older, module: 'commonjs', noEmit: true }, include: ['src', 'test'] }),
    );
    const typed = await settled(run('npx', ['tsc', '-p', 'tsconfig.commonjs.json'], { cwd: dir }));
    expect(`${typed.stdout}${typed.stderr}`).toBe('');
  }, 600_000);

  it('a Nest 12 app as its CLI makes it (ESM, Vitest) installs it, builds, boots and passes its e2e test with the emulator', async () => {
    const dir = await cliApp('nest12-cli-app');
    const e2e = await settled(run('npm', ['run', 'test:e2e'], { cwd: dir, env: { ...process.env, CI: '1', NO_COLOR: '1' } }));
    expect(`${e2e.stdout}${e2e.stderr}`).toMatch(/Tests\s+5 passed \(5\)/);
    await expectBoots(dir);
  }, 600_000);
});
