import type { Reflector } from '@nestjs/core';
import { PublicMetadata, RolesMetadata, ScopesMetadata } from './decorators.js';
import type { Role } from './principal.js';
import { closestScope } from './scope-catalogue.js';

/** What a route asks of a request: read once from its decorators, then kept. */
export interface RouteRule {
  readonly isPublic: boolean;
  readonly roles: readonly Role[];
  readonly scopes: readonly string[];
}

/** The decorators stated on one target (a handler or a class), undefined where absent. */
interface Stated {
  isPublic: boolean;
  roles?: readonly Role[];
  scopes?: readonly string[];
}

function stated(reflector: Reflector, target: object): Stated {
  return {
    isPublic: reflector.get(PublicMetadata, target as never) === true,
    roles: reflector.get(RolesMetadata, target as never),
    scopes: reflector.get(ScopesMetadata, target as never),
  };
}

function guards(s: Stated): boolean {
  return s.roles !== undefined || s.scopes !== undefined;
}

/**
 * The rule of a route: the most specific statement wins. A method's own @Roles/@Scopes guard it
 * even in a @Public() class; a method's own @Public() opens it in a guarded class; otherwise the
 * class decides. Roles and scopes are each taken from the method when it states them, else from
 * the class. (Contradictions — @Public() beside @Roles/@Scopes on one target — are refused at
 * bootstrap by findRouteDecoratorIssues, as are scopes outside the catalogue.)
 */
export function readRouteRule(reflector: Reflector, handler: object, cls: object): RouteRule {
  const own = stated(reflector, handler);
  const inherited = stated(reflector, cls);
  return Object.freeze({
    isPublic: own.isPublic || (inherited.isPublic && !guards(own)),
    roles: Object.freeze([...(own.roles ?? inherited.roles ?? [])]),
    scopes: Object.freeze([...(own.scopes ?? inherited.scopes ?? [])]),
  });
}

/**
 * Why a handler's or class's decorators contradict each other, or undefined. `@Public()` beside
 * `@Roles`/`@Scopes` on the same target cannot mean both; refusing it beats guessing.
 */
export function contradictionOf(reflector: Reflector, target: object): string | undefined {
  const s = stated(reflector, target);
  if (!s.isPublic || !guards(s)) return undefined;
  const which = [s.roles !== undefined && '@Roles()', s.scopes !== undefined && '@Scopes()'].filter(Boolean).join(' and ');
  return `has both @Public() and ${which}: a route cannot be open and guarded at once; remove one`;
}

/**
 * The scopes a handler's or class's own @Scopes() names that the catalogue lacks (no credential
 * can ever hold them), one problem each, with the catalogue scope a typo most likely meant.
 */
export function unknownScopesOf(reflector: Reflector, target: object, catalogue: ReadonlySet<string>): string[] {
  const scopes = stated(reflector, target).scopes ?? [];
  const stating = `@Scopes(${scopes.map((s) => `'${s}'`).join(', ')})`;
  return [...new Set(scopes)]
    .filter((s) => !catalogue.has(s))
    .map((s) => {
      const meant = closestScope(s, catalogue);
      return `${stating}: '${s}' is not in the scope catalogue ${meant ? `(did you mean '${meant}'?)` : '(incoming.scopes)'}`;
    });
}

/**
 * The @Public/@Roles/@Scopes of each route, read with the Reflector the first time a route is hit.
 * Decorators are fixed once the classes exist, and three metadata lookups on two targets per
 * request were a visible share of the guard's cost. Keyed by class and handler: an inherited
 * handler may sit under classes with other metadata.
 */
export class RouteRules {
  private readonly byClass = new WeakMap<object, WeakMap<object, RouteRule>>();

  constructor(private readonly reflector: Reflector) {}

  for(handler: object, cls: object): RouteRule {
    let byHandler = this.byClass.get(cls);
    if (!byHandler) this.byClass.set(cls, (byHandler = new WeakMap()));
    let rule = byHandler.get(handler);
    if (!rule) {
      rule = readRouteRule(this.reflector, handler, cls);
      byHandler.set(handler, rule);
    }
    return rule;
  }
}
