import type { CanActivate, INestApplication, Type } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { ProviderAuthGuard } from '../incoming/provider-auth.guard.js';
import { readRouteRule, type RouteRule } from '../incoming/route-rules.js';
import { applicationConfigOf, findProvider, type AppRoute } from './route-table.js';

/**
 * What the guards of one route tell a reader of the document:
 * - `guarded`: ProviderAuthGuard runs and asks for a credential (`rule` says what it checks);
 * - `open`: no guard asks for anything (none at all, or ours with @Public() and only throttlers beside it);
 * - `unknown`: a guard we cannot read decides (left as the document has it).
 */
export type RouteProtection = { kind: 'guarded'; rule: RouteRule; throttled: boolean } | { kind: 'open'; throttled: boolean } | { kind: 'unknown' };

type GuardLike = Type<CanActivate> | CanActivate | (abstract new (...args: never[]) => unknown);

/** The names along a class's prototype chain: ours and subclasses, from either build of this package. */
function lineage(guard: GuardLike): string[] {
  const names: string[] = [];
  let cls: unknown = typeof guard === 'function' ? guard : (guard as object).constructor;
  while (typeof cls === 'function' && cls !== Function.prototype) {
    names.push(cls.name);
    cls = Object.getPrototypeOf(cls);
  }
  return names;
}

function isOurs(guard: GuardLike): boolean {
  if (typeof guard === 'function')
    return guard === ProviderAuthGuard || guard.prototype instanceof ProviderAuthGuard || lineage(guard).includes('ProviderAuthGuard');
  return guard instanceof ProviderAuthGuard || lineage(guard).includes('ProviderAuthGuard');
}

/** @nestjs/throttler's guard (and ours on it): it limits how often, never who, so a route stays open beside it. */
function isThrottler(guard: GuardLike): boolean {
  return lineage(guard).includes('ThrottlerGuard');
}

/** ProviderThrottlerGuard answers its 429 in the configured error format; plain ThrottlerGuard in its own. */
function isOurThrottler(guard: GuardLike): boolean {
  return lineage(guard).includes('ProviderThrottlerGuard');
}

// @nestjs/throttler's option token and skip metadata prefix (strings there; not imported, so that
// @nestjs/throttler stays optional).
const THROTTLER_OPTIONS = 'THROTTLER:MODULE_OPTIONS';
const THROTTLER_SKIP = 'THROTTLER:SKIP';

/** Reads, per route, which guards protect it and what ProviderAuthGuard would ask of a request. */
export class RouteProtectionReader {
  private readonly reflector = new Reflector();
  private readonly globalGuards: GuardLike[];
  private readonly throttlerNames: string[];

  constructor(app: INestApplication) {
    const config = applicationConfigOf(app);
    // Global guards: app.useGlobalGuards() and APP_GUARD providers (ProviderAuthModule's
    // globalGuard: true among them); request-scoped APP_GUARDs are kept as wrappers.
    this.globalGuards = [
      ...config.getGlobalGuards(),
      ...config
        .getGlobalRequestGuards()
        .map((wrapper) => wrapper.metatype as GuardLike | null)
        .filter((g): g is GuardLike => typeof g === 'function'),
    ];
    this.throttlerNames = throttlerNamesOf(app);
  }

  protectionOf(route: AppRoute): RouteProtection {
    const own = [
      ...((Reflect.getMetadata(GUARDS_METADATA, route.controller) as GuardLike[] | undefined) ?? []),
      ...((Reflect.getMetadata(GUARDS_METADATA, route.handler) as GuardLike[] | undefined) ?? []),
    ];
    const guards = [...this.globalGuards, ...own];
    const throttled = guards.some(isOurThrottler) && this.throttlerNames.some((name) => !this.skips(route, name));
    const others = guards.filter((g) => !isOurs(g) && !isThrottler(g));
    if (guards.some(isOurs)) {
      const rule = readRouteRule(this.reflector, route.handler, route.controller);
      if (!rule.isPublic) return { kind: 'guarded', rule, throttled };
    }
    // @Public() (or no ProviderAuthGuard at all): open only if no other guard may still refuse.
    return others.length === 0 ? { kind: 'open', throttled } : { kind: 'unknown' };
  }

  /** @SkipThrottle() for one named throttler, handler over class, as ThrottlerGuard reads it. */
  private skips(route: AppRoute, name: string): boolean {
    return this.reflector.getAllAndOverride<boolean | undefined>(THROTTLER_SKIP + name, [route.handler, route.controller]) === true;
  }
}

/** The names of the configured throttlers ('default' when unnamed); ['default'] when they cannot be read. */
function throttlerNamesOf(app: INestApplication): string[] {
  const options = findProvider<unknown>(app, THROTTLER_OPTIONS);
  const list = Array.isArray(options) ? options : (options as { throttlers?: unknown } | undefined)?.throttlers;
  if (!Array.isArray(list)) return ['default'];
  return list.map((t: { name?: string }) => t?.name ?? 'default');
}
