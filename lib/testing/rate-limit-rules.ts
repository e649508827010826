import { AFFILYNC, CONVERTLY, type Principal } from '../index.js';
import type { EmulatedProvider, EmulatorRateLimit, EmulatorRateLimits } from './emulator-types.js';

/** How one emulated provider limits its credentials. */
export interface RateLimitRule {
  readonly windowMs: number;
  /** The limit for this principal's credential now, or undefined when it is not limited. */
  limitFor(principal: Principal): number | undefined;
}

export type RateLimitRules = { readonly [P in EmulatedProvider]?: RateLimitRule };

const MINUTE_MS = 60_000;
const CONVERTLY_PLANS: Readonly<Record<string, number>> = CONVERTLY.plansPerMinute;

/**
 * The documented limits. Affilync's depend on the account's plan, which emulator users and keys do
 * not have: every credential gets Pro's 300, the documented X-RateLimit-Limit example. Convertly's
 * follow the user's plan as it is now (setPlan() applies from the next request); a plan without a
 * documented limit is not limited (its requests get 403 anyway).
 */
const DOCUMENTED: Required<RateLimitRules> = {
  affilync: { windowMs: MINUTE_MS, limitFor: () => AFFILYNC.plansPerMinute.pro },
  convertly: { windowMs: MINUTE_MS, limitFor: (p) => (p.kind === 'user' && p.plan !== undefined ? CONVERTLY_PLANS[p.plan] : undefined) },
};

/** The `rateLimits` option, checked and resolved per provider; undefined (the default) limits nothing. */
export function rateLimitRules(option: EmulatorRateLimits | undefined): RateLimitRules {
  if (option === undefined) return {};
  if (option === 'documented') return DOCUMENTED;
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    fail(`must be 'documented' or { affilync?, convertly? } with { limit, windowMs } each, not ${describe(option)}`);
  }
  const unknown = Object.keys(option).filter((k) => k !== 'affilync' && k !== 'convertly');
  if (unknown.length > 0) fail(`has unknown key(s) ${unknown.join(', ')} (known: affilync, convertly)`);
  const rules: { [P in EmulatedProvider]?: RateLimitRule } = {};
  for (const provider of ['affilync', 'convertly'] as const) {
    const given = option[provider];
    if (given !== undefined) rules[provider] = explicitRule(provider, given);
  }
  return rules;
}

function explicitRule(provider: EmulatedProvider, given: EmulatorRateLimit): RateLimitRule {
  if (typeof given !== 'object' || given === null) fail(`.${provider} must be { limit, windowMs }, not ${describe(given)}`);
  const { limit, windowMs } = given;
  if (!isWholeAtLeastOne(limit)) fail(`.${provider}.limit must be a whole number of requests, at least 1 (got ${describe(limit)})`);
  if (!isWholeAtLeastOne(windowMs)) fail(`.${provider}.windowMs must be a whole number of milliseconds, at least 1 (got ${describe(windowMs)})`);
  return { windowMs, limitFor: () => limit };
}

function isWholeAtLeastOne(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : String(value);
}

function fail(problem: string): never {
  throw new TypeError(`ProviderEmulator: rateLimits${problem.startsWith('.') ? '' : ' '}${problem}`);
}
