/**
 * What one request's handler does to its principal never changes what another request is allowed:
 * the scopes a principal holds are shared (a role's list, a cached key's list) and must be immutable.
 */
import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentPrincipal, ProviderAuthGuard, Roles, Scopes, type Principal } from '../../lib/index.js';
import { expectRefused, R } from './support/answers.js';
import { issue, JWT_SECRET, mintKey } from './support/credential-cases.js';
import { handlerRuns, send, startApp, type AdapterName, type Fixture } from './support/incoming-app.js';
import { secretAudit } from '../support/secret-audit.js';

/** What the careless handler managed to do, per attempt. */
const attempts: string[] = [];

@Controller('m')
@UseGuards(ProviderAuthGuard)
class CarelessHandlers {
  /** A handler that tries to widen its own principal's scopes and role in place. */
  @Get('widen')
  widen(@CurrentPrincipal() p: Principal) {
    for (const [what, change] of [
      ['push', () => (p.scopes as string[]).push('payouts:write')],
      ['splice', () => (p.scopes as string[]).splice(0, 0, 'payouts:write')],
      ['index', () => ((p.scopes as string[])[p.scopes.length] = 'payouts:write')],
    ] as const) {
      try {
        change();
        attempts.push(`${what}: changed`);
      } catch {
        attempts.push(`${what}: refused`);
      }
    }
    if (p.kind === 'user') (p as { role: string }).role = 'admin';
    return { scopes: p.scopes };
  }

  /** Its own copy may be replaced freely: that changes this request only. */
  @Get('replace')
  replace(@CurrentPrincipal() p: Principal) {
    (p as { scopes: readonly string[] }).scopes = ['payouts:write'];
    return { scopes: p.scopes };
  }

  @Scopes('payouts:write') @Get('payouts') payouts() {
    handlerRuns.count++;
    return { ok: true };
  }
  @Roles('admin') @Get('admin') admin() {
    handlerRuns.count++;
    return { ok: true };
  }
}

describe.each([
  ['express', 10_000],
  ['fastify', 10_000],
  ['express', 0],
  ['fastify', 0],
] as [AdapterName, number][])('a handler cannot widen other requests on %s (cacheEntries %i)', (adapter, cacheEntries) => {
  let f: Fixture;
  beforeAll(async () => {
    secretAudit.registerSecret(JWT_SECRET);
    f = await startApp(adapter, { jwtSecret: JWT_SECRET, cacheEntries }, [CarelessHandlers]);
  });
  afterAll(() => f.app.close());
  beforeEach(() => (attempts.length = 0));

  const refusedOn = async (path: string, value: string, refusal: Parameters<typeof expectRefused>[1]) => {
    const before = handlerRuns.count;
    const answer = await send(f.server(), { path, authorization: `Bearer ${value}` });
    expectRefused({ answer, runsBefore: before, credentials: [value], logger: f.logger }, refusal);
  };

  it("a member's in-place changes reach neither another member nor its own next request", async () => {
    const ctx = { tokens: f.tokens, keys: f.keys };
    const a = await issue(ctx, { role: 'member' });
    const b = await issue(ctx, { role: 'member' });
    // b is verified (and cached, when the cache is on) before a's handler runs.
    await refusedOn('/m/payouts', b.token, R.scope('payouts:write'));
    const widened = await send(f.server(), { path: '/m/widen', authorization: `Bearer ${a.token}` });
    expect(widened.status).toBe(200);
    expect(attempts).toEqual(['push: refused', 'splice: refused', 'index: refused']);
    await refusedOn('/m/payouts', b.token, R.scope('payouts:write'));
    await refusedOn('/m/payouts', a.token, R.scope('payouts:write'));
    await refusedOn('/m/admin', a.token, R.role);
    const fresh = await issue(ctx, { role: 'member' });
    await refusedOn('/m/payouts', fresh.token, R.scope('payouts:write'));
  });

  it("an API key's in-place changes do not reach its next request", async () => {
    const k = await mintKey({ tokens: f.tokens, keys: f.keys }, ['links:read']);
    expect((await send(f.server(), { path: '/m/widen', authorization: `Bearer ${k.key}` })).status).toBe(200);
    expect(attempts).toEqual(['push: refused', 'splice: refused', 'index: refused']);
    await refusedOn('/m/payouts', k.key, R.scope('payouts:write'));
  });

  it("replacing request.user's scopes changes that request only", async () => {
    const a = await issue({ tokens: f.tokens, keys: f.keys }, { role: 'member' });
    const replaced = await send(f.server(), { path: '/m/replace', authorization: `Bearer ${a.token}` });
    expect(replaced.body).toEqual({ scopes: ['payouts:write'] });
    await refusedOn('/m/payouts', a.token, R.scope('payouts:write'));
  });
});
