/**
 * ProviderThrottlerGuard counts per principal only if ProviderAuthGuard ran before it. Nest runs
 * global guards (APP_GUARD) before controller and route guards, and APP_GUARDs in the order their
 * modules' providers are registered; these apps show which registrations give which order.
 */
import {
  ADAPTERS,
  AuthOnlyPerRoute,
  PerRouteGuarded,
  PerRouteReversed,
  Routes,
  startThrottledApp,
  statuses,
  type ThrottledApp,
  type Wiring,
} from './support/throttled-app.js';

const PER_PRINCIPAL = 'per principal';
const PER_IP = 'per IP';

/** With limit 1: a second API key still gets its 200 when counting is per principal; a 429 when per IP. */
async function counting(app: ThrottledApp, path: string): Promise<string> {
  const [a, b] = [await app.apiKey('a'), await app.apiKey('b')];
  expect((await app.get(path, a)).status).toBe(200);
  const second = (await app.get(path, b)).status;
  expect([200, 429]).toContain(second);
  return second === 200 ? PER_PRINCIPAL : PER_IP;
}

describe.each(ADAPTERS)('which registration runs ProviderThrottlerGuard after ProviderAuthGuard (%s)', (adapter) => {
  const cases: [Wiring, (new () => unknown)[], string, string][] = [
    ['app-guards', [Routes], '/items', PER_PRINCIPAL],
    ['use-guards', [PerRouteGuarded], '/per-route/items', PER_PRINCIPAL],
    ['global-guard', [Routes], '/items', PER_IP],
    ['app-guards-reversed', [Routes], '/items', PER_IP],
    ['use-guards', [PerRouteReversed], '/reversed/items', PER_IP],
    ['throttler-app-guard', [AuthOnlyPerRoute], '/auth-only/items', PER_IP],
  ];

  it.each(cases)('%s with %p: %s is counted %s', async (wiring, controllers, path, expected) => {
    const app = await startThrottledApp(adapter, { wiring, controllers, limit: 1 });
    try {
      expect(await counting(app, path)).toBe(expected);
      const warned = app.logger.lines.filter((l) => l.level === 'warn' && l.text.includes('ProviderThrottlerGuard ran first'));
      // Running first, the guard says so (once), naming the route.
      expect(warned.length).toBe(expected === PER_IP ? 1 : 0);
    } finally {
      await app.close();
    }
  });

  it('the documented registration counts every user apart on the same IP', async () => {
    const app = await startThrottledApp(adapter, { wiring: 'app-guards', limit: 2 });
    try {
      const [u1, u2] = [await app.userToken('u1'), await app.userToken('u2')];
      expect(await statuses(3, () => app.get('/items', u1))).toEqual([200, 200, 429]);
      expect(await statuses(3, () => app.get('/items', u2))).toEqual([200, 200, 429]);
    } finally {
      await app.close();
    }
  });
});
