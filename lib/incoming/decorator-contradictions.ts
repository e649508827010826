import type { ModulesContainer } from '@nestjs/core';
import { MetadataScanner, Reflector } from '@nestjs/core';
import type { ConfigIssue } from '../provider-auth-config.error.js';
import { contradictionOf } from './route-rules.js';

/**
 * Every controller (or other provider class, e.g. a resolver) whose @Public() contradicts its own
 * @Roles/@Scopes, on a method or on the class, as config issues naming `Class.method`. Run at
 * bootstrap, so such an app fails to start instead of guessing which statement was meant.
 */
export function findDecoratorContradictions(modules: ModulesContainer): ConfigIssue[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const seen = new Set<unknown>();
  const issues: ConfigIssue[] = [];
  for (const mod of modules.values()) {
    for (const wrapper of [...mod.controllers.values(), ...mod.providers.values()]) {
      const cls = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null | undefined;
      if (typeof cls !== 'function' || seen.has(cls) || typeof cls.prototype !== 'object' || cls.prototype === null) continue;
      seen.add(cls);
      const onClass = contradictionOf(reflector, cls);
      if (onClass) issues.push({ path: cls.name, problem: onClass });
      const proto = cls.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const onMethod = contradictionOf(reflector, proto[name] as object);
        if (onMethod) issues.push({ path: `${cls.name}.${name}`, problem: onMethod });
      }
    }
  }
  return issues;
}
