import type { ExecutionContext } from '@nestjs/common';
import type { Principal } from '../incoming/principal.js';
import { trackedPrincipalOf } from './principal-tracker.js';

/** Requests per throttler window (its `ttl`), by who sends them. */
export interface PrincipalLimits {
  /** A user whose token carries one of these plans (`plan` claim), e.g. `{ growth: 100, scale: 500 }`. */
  plans?: Readonly<Record<string, number>>;
  /** Any user whose plan is absent or not listed in `plans`. */
  user: number;
  /** An API key (keys carry no plan). */
  apiKey: number;
  /** A request with no principal (a @Public() route): counted per client IP. */
  anonymous: number;
}

/**
 * A `limit` for ThrottlerModule.forRoot() that depends on the authenticated principal: the one
 * ProviderAuthGuard set on `request.user`, or, when ProviderThrottlerGuard runs first, the one it
 * authenticated itself (docs/throttling.md).
 *
 * @example ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: limitByPrincipal({ plans: { growth: 100, scale: 500 }, user: 60, apiKey: 300, anonymous: 30 }) }] })
 */
export function limitByPrincipal(limits: PrincipalLimits): (context: ExecutionContext) => number | Promise<number> {
  const { plans = {}, user, apiKey, anonymous } = checked(limits);
  const byPlan = new Map(Object.entries(plans));
  const limitOf = (principal: Principal | undefined): number => {
    if (!principal) return anonymous;
    if (principal.kind === 'api_key') return apiKey;
    return (principal.plan !== undefined ? byPlan.get(principal.plan) : undefined) ?? user;
  };
  return (context) => {
    // Anything but HTTP (GraphQL, WebSockets) has no request.user here: the anonymous budget.
    if (context.getType() !== 'http') return anonymous;
    const principal = trackedPrincipalOf(context.switchToHttp().getRequest<{ user?: unknown }>());
    // Synchronous when ProviderAuthGuard ran first: no promise per request.
    return principal instanceof Promise ? principal.then(limitOf) : limitOf(principal);
  };
}

function checked(limits: PrincipalLimits): PrincipalLimits {
  if (typeof limits !== 'object' || limits === null) throw new TypeError('limitByPrincipal: give { user, apiKey, anonymous, plans? }');
  const check = (name: string, value: unknown) => {
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
      throw new TypeError(`limitByPrincipal: ${name} must be a whole number of requests (>= 0), got ${JSON.stringify(value)}`);
    }
  };
  check('user', limits.user);
  check('apiKey', limits.apiKey);
  check('anonymous', limits.anonymous);
  if (limits.plans !== undefined) {
    if (typeof limits.plans !== 'object' || limits.plans === null) throw new TypeError('limitByPrincipal: plans must be an object of plan → limit');
    for (const [plan, limit] of Object.entries(limits.plans)) check(`plans.${plan}`, limit);
  }
  return limits;
}
