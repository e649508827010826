/**
 * ProviderThrottlerGuard counts per principal whichever guard Nest runs first. Nest runs global
 * guards (APP_GUARD) before controller and route guards, and APP_GUARDs in the order their modules'
 * providers are registered; when the throttler runs before ProviderAuthGuard it authenticates the
 * request itself, and ProviderAuthGuard still answers every refusal.
 */
import { Controller, Get, Req } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { InMemoryApiKeyStore, Scopes } from '../../lib/index.js';
import { limitByPrincipal } from '../../lib/throttler/index.js';
import {
  ADAPTERS,
  AuthOnlyPerRoute,
  exactly,
  PerRouteGuarded,
  PerRouteReversed,
  Routes,
  startThrottledApp,
  statuses,
  type ThrottledApp,
  type Wiring,
} from './support/throttled-app.js';

/** Per minute: growth users 3, other users 2, API keys 1, anonymous requests (and refused ones) 1 per IP. */
const limit = limitByPrincipal({ plans: { growth: 3 }, user: 2, apiKey: 1, anonymous: 1 });

type Order = [name: string, wiring: Wiring, controllers: (new () => unknown)[], path: string, throttlerFirst: boolean];
const ORDERS: Order[] = [
  ['both APP_GUARD, ProviderAuthGuard first', 'app-guards', [Routes], '/items', false],
  ['@UseGuards(ProviderAuthGuard, ProviderThrottlerGuard)', 'use-guards', [PerRouteGuarded], '/per-route/items', false],
  ['globalGuard: true and the throttler an APP_GUARD of AppModule', 'global-guard', [Routes], '/items', true],
  ['both APP_GUARD, ProviderThrottlerGuard first', 'app-guards-reversed', [Routes], '/items', true],
  ['@UseGuards(ProviderThrottlerGuard, ProviderAuthGuard)', 'use-guards', [PerRouteReversed], '/reversed/items', true],
  ['the throttler an APP_GUARD, @UseGuards(ProviderAuthGuard) per controller', 'throttler-app-guard', [AuthOnlyPerRoute], '/auth-only/items', true],
];

const INVALID = { detail: 'Token is malformed or revoked', error_code: 'TOKEN_INVALID', status: 401 };
const INVALID_CHALLENGE = 'Bearer realm="api", error="invalid_token"';

/** A token of the same user whose signature no longer matches. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.');
  return [header, payload, signature.startsWith('AAAA') ? `BBBB${signature.slice(4)}` : `AAAA${signature.slice(4)}`].join('.');
}

/** The in-memory throttler storage, running a step of the test just before it counts the next request. */
class StorageWithHook extends ThrottlerStorageService {
  beforeNextIncrement?: () => Promise<void>;
  override async increment(...args: Parameters<ThrottlerStorageService['increment']>) {
    const hook = this.beforeNextIncrement;
    this.beforeNextIncrement = undefined;
    await hook?.();
    return super.increment(...args);
  }
}

function orderWarnings(app: ThrottledApp): string[] {
  return app.logger.lines.filter((l) => l.level === 'warn' && l.text.includes('ProviderThrottlerGuard')).map((l) => l.text);
}

describe.each(ADAPTERS)('ProviderThrottlerGuard with ProviderAuthGuard, in any order (%s)', (adapter) => {
  describe.each(ORDERS)('%s', (_name, wiring, controllers, path, throttlerFirst) => {
    let app: ThrottledApp;
    let storage: StorageWithHook;
    beforeEach(async () => {
      storage = new StorageWithHook();
      app = await startThrottledApp(adapter, { wiring, controllers, limit, storage });
    });
    afterEach(async () => {
      await app.close();
      storage.onApplicationShutdown();
    });

    it('each API key and each user has a budget of its own and its plan’s limit, all from one IP', async () => {
      const [k1, k2] = [await app.apiKey('one'), await app.apiKey('two')];
      const [growth, planless] = [await app.userToken('g', 'growth'), await app.userToken('p')];
      expect(await statuses(2, () => app.get(path, k1))).toEqual(exactly(1));
      expect(await statuses(2, () => app.get(path, k2))).toEqual(exactly(1));
      expect(await statuses(4, () => app.get(path, growth))).toEqual(exactly(3));
      expect(await statuses(3, () => app.get(path, planless))).toEqual(exactly(2));
      const refused = await app.get(path, growth).expect(429);
      expect(refused.headers['x-ratelimit-limit']).toBe('3');
      expect(orderWarnings(app)).toEqual([]);
    });

    it("a refused credential gets ProviderAuthGuard's own 401 and spends none of its user's budget", async () => {
      const token = await app.userToken('u');
      const first = await app.get(path, tampered(token)).expect(401);
      expect(first.body).toEqual(INVALID);
      expect(first.headers['www-authenticate']).toBe(INVALID_CHALLENGE);
      // Running first, the throttler counts a refused request against its IP (anonymous: 1).
      const second = await app.get(path, tampered(token));
      expect(second.status).toBe(throttlerFirst ? 429 : 401);
      expect(await statuses(3, () => app.get(path, token))).toEqual(exactly(2));
      const missing = await app.get(path, undefined, '198.51.100.20').expect(401);
      expect(missing.body).toEqual({ detail: 'Authentication required: send Authorization: Bearer <token>', error_code: 'TOKEN_INVALID', status: 401 });
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(orderWarnings(app)).toEqual([]);
    });

    it('a revoked API key is refused, also when it is revoked between the two guards', async () => {
      const revokedBefore = await app.apiKey('before');
      await app.get(path, revokedBefore).expect(200);
      await app.revoke(revokedBefore);
      const r = await app.get(path, revokedBefore, '198.51.100.21').expect(401);
      expect(r.body).toEqual(INVALID);
      expect(r.headers['www-authenticate']).toBe(INVALID_CHALLENGE);

      // Revoked while the request is being counted: after the throttler, before ProviderAuthGuard
      // when the throttler runs first (the key's earlier verification must not let it through).
      const revokedBetween = await app.apiKey('between');
      storage.beforeNextIncrement = () => app.revoke(revokedBetween);
      const during = await app.get(path, revokedBetween, '198.51.100.22');
      expect(during.status).toBe(throttlerFirst ? 401 : 200);
      if (throttlerFirst) expect(during.body).toEqual(INVALID);
      expect((await app.get(path, revokedBetween, '198.51.100.23').expect(401)).body).toEqual(INVALID);
    });

    it("a key in the query string is never read: ProviderAuthGuard's 400, and the key's budget untouched", async () => {
      const key = await app.apiKey();
      const r = await app.get(`${path}?access_token=${encodeURIComponent(key)}`).expect(400);
      expect(r.body).toMatchObject({ error_code: 'INVALID_REQUEST', status: 400 });
      expect(await statuses(2, () => app.get(path, key))).toEqual(exactly(1));
    });
  });

  it.each([
    ['ProviderAuthGuard first', 'app-guards', false],
    ['the throttler first', 'global-guard', true],
  ] as const)(
    "a 403 is ProviderAuthGuard's own; %s, it spends the principal's budget only when the throttler runs first",
    async (_name, wiring, throttlerFirst) => {
      @Controller('scoped')
      class Scoped {
        @Scopes('campaigns:write') @Get() write() {
          return { ok: true };
        }
      }
      const app = await startThrottledApp(adapter, { wiring, controllers: [Scoped], limit });
      try {
        const readOnly = await app.apiKey();
        const r = await app.get('/scoped', readOnly).expect(403);
        expect(r.body).toEqual({ detail: 'Missing required scope: campaigns:write', error_code: 'INSUFFICIENT_SCOPE', status: 403 });
        expect((await app.get('/scoped', readOnly)).status).toBe(throttlerFirst ? 429 : 403);
      } finally {
        await app.close();
      }
    },
  );

  it('on a route ProviderAuthGuard does not guard, the throttler counts per principal and leaves request.user alone', async () => {
    @Controller('unguarded')
    class Unguarded {
      @Get() get(@Req() req: { user?: unknown }) {
        return { user: req.user ?? null };
      }
    }
    const app = await startThrottledApp(adapter, { wiring: 'throttler-app-guard', controllers: [Unguarded], limit });
    try {
      const [k1, k2] = [await app.apiKey('one'), await app.apiKey('two')];
      expect((await app.get('/unguarded', k1).expect(200)).body).toEqual({ user: null });
      expect((await app.get('/unguarded', k2).expect(200)).body).toEqual({ user: null });
      await app.get('/unguarded', k1).expect(429);
    } finally {
      await app.close();
    }
  });

  it('running first, the throttler verifies a key once: ProviderAuthGuard finds it in the cache', async () => {
    class CountingStore extends InMemoryApiKeyStore {
      gets = 0;
      override get(id: string) {
        this.gets++;
        return super.get(id);
      }
    }
    const apiKeyStore = new CountingStore();
    const app = await startThrottledApp(adapter, { wiring: 'global-guard', limit: 5, apiKeyStore });
    try {
      const key = await app.apiKey();
      expect(await statuses(3, () => app.get('/items', key))).toEqual([200, 200, 200]);
      expect(apiKeyStore.gets).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('without ProviderAuthModule there is no one to authenticate with: counted per IP, and said once', async () => {
    @Controller('plain')
    class Plain {
      @Get() get() {
        return { ok: true };
      }
    }
    const app = await startThrottledApp(adapter, { wiring: 'throttler-app-guard', withoutAuthModule: true, controllers: [Plain], limit: 1 });
    try {
      await app.get('/plain', 'first-credential').expect(200);
      await app.get('/plain', 'second-credential').expect(429);
      const warned = orderWarnings(app);
      expect(warned).toHaveLength(1);
      expect(warned[0]).toContain('Plain.get');
      expect(warned[0]).toContain('per IP');
    } finally {
      await app.close();
    }
  });
});
