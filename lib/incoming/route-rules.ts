import type { Reflector } from '@nestjs/core';
import { PublicMetadata, RolesMetadata, ScopesMetadata } from './decorators.js';
import type { Role } from './principal.js';

/** What a route asks of a request: read once from its decorators, then kept. */
export interface RouteRule {
  readonly isPublic: boolean;
  readonly roles: readonly Role[];
  readonly scopes: readonly string[];
}

/**
 * The @Public/@Roles/@Scopes of each route (handler metadata over class metadata), read with
 * the Reflector the first time a route is hit. Decorators are fixed once the classes exist, and
 * three metadata lookups on two targets per request were a visible share of the guard's cost.
 * Keyed by class and handler: an inherited handler may sit under classes with other metadata.
 */
export class RouteRules {
  private readonly byClass = new WeakMap<object, WeakMap<object, RouteRule>>();

  constructor(private readonly reflector: Reflector) {}

  for(handler: object, cls: object): RouteRule {
    let byHandler = this.byClass.get(cls);
    if (!byHandler) this.byClass.set(cls, (byHandler = new WeakMap()));
    let rule = byHandler.get(handler);
    if (!rule) {
      const targets = [handler, cls] as never[];
      rule = Object.freeze({
        isPublic: this.reflector.getAllAndOverride(PublicMetadata, targets) === true,
        roles: Object.freeze([...(this.reflector.getAllAndOverride(RolesMetadata, targets) ?? [])]),
        scopes: Object.freeze([...(this.reflector.getAllAndOverride(ScopesMetadata, targets) ?? [])]),
      });
      byHandler.set(handler, rule);
    }
    return rule;
  }
}
