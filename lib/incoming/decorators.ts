import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES, type Principal, type Role } from './principal.js';
import type { Scope } from './scope-catalogue.js';
import { TRANSPORTS } from './transports/index.js';

/**
 * Metadata readers, for your own guards: `reflector.getAllAndOverride(ScopesMetadata, [handler, cls])`.
 * Fixed keys (not Nest's random default): the ESM and CommonJS builds read each other's decorators.
 */
export const ScopesMetadata = Reflector.createDecorator<readonly string[]>({ key: 'nest-provider-auth:scopes', transform: (v) => [...(v ?? [])] });
export const RolesMetadata = Reflector.createDecorator<readonly Role[]>({ key: 'nest-provider-auth:roles', transform: (v) => [...(v ?? [])] });
export const PublicMetadata = Reflector.createDecorator<boolean>({ key: 'nest-provider-auth:public', transform: (v) => v ?? true });

/**
 * Every listed scope is required; `@Scopes()` alone requires none. On a method it replaces the
 * class's requirement. Typed against the scope catalogue (augment `ProviderAuthScopes` for your
 * own), and checked against `incoming.scopes` at bootstrap: an unknown scope stops the app.
 *
 * @example @Scopes('campaigns:write')
 */
export function Scopes(...scopes: Scope[]): ClassDecorator & MethodDecorator {
  // The type is no guarantee at run time (casts, plain JavaScript callers).
  for (const s of scopes as readonly unknown[]) {
    if (typeof s !== 'string' || s.trim() !== s || s === '') throw new TypeError(`@Scopes(): '${String(s)}' is not a scope`);
  }
  return ScopesMetadata(scopes);
}

/**
 * One of the listed roles is required; admin satisfies member. API keys never satisfy it.
 *
 * @example @Roles('admin')
 */
export function Roles(...roles: Role[]): ClassDecorator & MethodDecorator {
  for (const r of roles) if (!ROLES.includes(r)) throw new TypeError(`@Roles(): '${String(r)}' is not a role (${ROLES.join(', ')})`);
  return RolesMetadata(roles);
}

/** No credential needed, even under the global guard. */
export function Public(): ClassDecorator & MethodDecorator {
  return PublicMetadata(true);
}

/**
 * The authenticated Principal as a handler parameter: `request.user` on HTTP routes; in resolvers,
 * gateways and RPC handlers, wherever their transport keeps it (lib/incoming/transports/).
 */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  const type = ctx.getType<string>();
  return type === 'http' ? ctx.switchToHttp().getRequest<{ user?: Principal }>().user : TRANSPORTS[type]?.principal(ctx);
});
