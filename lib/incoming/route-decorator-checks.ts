import type { ModulesContainer } from '@nestjs/core';
import { MetadataScanner, Reflector } from '@nestjs/core';
import type { ConfigIssue } from '../provider-auth-config.error.js';
import { contradictionOf, unknownScopesOf } from './route-rules.js';

/**
 * What is wrong with the @Public/@Roles/@Scopes of every controller (or other provider class, e.g.
 * a resolver), on its methods and on the class, as config issues naming `Class.method` (or
 * `Class`). Run at bootstrap, so such an app fails to start instead of guessing or locking a route:
 * - @Public() beside @Roles/@Scopes on one target contradicts itself;
 * - a @Scopes() scope outside `catalogue` (the configured `incoming.scopes`) can never be granted,
 *   so the route would answer 403 to everyone. Without a catalogue (no `incoming` block) scopes are
 *   not checked: nothing in this module enforces them then.
 */
export function findRouteDecoratorIssues(modules: ModulesContainer, catalogue: readonly string[] | undefined): ConfigIssue[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const known = catalogue && new Set(catalogue);
  const problemsOf = (target: object): string[] => {
    const contradiction = contradictionOf(reflector, target);
    return [...(contradiction ? [contradiction] : []), ...(known ? unknownScopesOf(reflector, target, known) : [])];
  };
  const seen = new Set<unknown>();
  const issues: ConfigIssue[] = [];
  for (const mod of modules.values()) {
    for (const wrapper of [...mod.controllers.values(), ...mod.providers.values()]) {
      const cls = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null | undefined;
      if (typeof cls !== 'function' || seen.has(cls) || typeof cls.prototype !== 'object' || cls.prototype === null) continue;
      seen.add(cls);
      for (const problem of problemsOf(cls)) issues.push({ path: cls.name, problem });
      const proto = cls.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(proto)) {
        for (const problem of problemsOf(proto[name] as object)) issues.push({ path: `${cls.name}.${name}`, problem });
      }
    }
  }
  return issues;
}
