import type { Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import type { ConfigIssue } from './provider-auth-config.error.js';

interface InjectedService {
  cls: Type<unknown>;
  block: string;
  configured: boolean;
}

/**
 * Every class in the app that injects a service whose options block is absent, as config issues.
 * Nest builds the module's providers anyway (forRootAsync options are unknown when the module is
 * defined), so this scan is what makes such an app fail at bootstrap rather than on first call.
 * `own` are the module's own providers, which may depend on a service they do not use unconfigured.
 */
export function findUnconfiguredInjections(modules: ModulesContainer, services: InjectedService[], own: readonly unknown[]): ConfigIssue[] {
  const missing = services.filter((c) => !c.configured);
  if (missing.length === 0) return [];
  const issues: ConfigIssue[] = [];
  for (const mod of modules.values()) {
    for (const wrapper of [...mod.providers.values(), ...mod.controllers.values(), ...mod.injectables.values()]) {
      if (own.includes(wrapper.token) || own.includes(wrapper.metatype)) continue;
      const deps = dependenciesOf(wrapper.metatype, wrapper.inject);
      for (const client of missing) {
        if (deps.includes(client.cls)) {
          const who = (wrapper.metatype as { name?: string } | null)?.name || String(wrapper.token);
          issues.push({
            path: client.block,
            problem: `is not configured, but ${who} injects ${client.cls.name}; add a '${client.block}' block to ProviderAuthModule.forRoot()`,
          });
        }
      }
    }
  }
  return issues;
}

/** What a provider requires; a dependency marked @Optional() can live with an unconfigured service. */
function dependenciesOf(metatype: unknown, inject: readonly unknown[] | null | undefined): unknown[] {
  if (inject) {
    return inject
      .filter((t) => !(typeof t === 'object' && t !== null && (t as { optional?: boolean }).optional))
      .map((t) => (typeof t === 'object' && t !== null && 'token' in t ? (t as { token: unknown }).token : t));
  }
  if (typeof metatype !== 'function') return [];
  const optional = new Set<number>(Reflect.getMetadata('optional:paramtypes', metatype) ?? []);
  const params: unknown[] = [...(Reflect.getMetadata('design:paramtypes', metatype) ?? [])];
  for (const p of (Reflect.getMetadata('self:paramtypes', metatype) ?? []) as { index: number; param: unknown }[]) params[p.index] = p.param;
  const optionalProps = new Set<string | symbol>(Reflect.getMetadata('optional:properties_metadata', metatype) ?? []);
  const props: { key: string | symbol; type: unknown }[] = Reflect.getMetadata('self:properties_metadata', metatype) ?? [];
  return [...params.filter((_, i) => !optional.has(i)), ...props.filter((p) => !optionalProps.has(p.key)).map((p) => p.type)];
}
