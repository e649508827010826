import type { Principal } from '../incoming/principal.js';

/**
 * The Principal ProviderAuthGuard put on `request.user`, or undefined (a @Public route, or a
 * `user` of another shape, e.g. set by a passport strategy of the app's own).
 */
export function principalOf(req: { user?: unknown } | undefined): Principal | undefined {
  const user = req?.user as Partial<Principal> | undefined;
  if (typeof user !== 'object' || user === null) return undefined;
  if (user.kind === 'api_key' && typeof user.keyId === 'string') return user as Principal;
  if (user.kind === 'user' && typeof user.sub === 'string') return user as Principal;
  return undefined;
}

type Lookup = () => Promise<Principal | undefined>;

// The principals ProviderThrottlerGuard authenticates itself, when it runs before ProviderAuthGuard,
// are kept beside the request, never on request.user: request.user must only ever hold a principal
// ProviderAuthGuard set after all its checks (roles, scopes, plan), because handlers and the app's
// own guards trust it, and a route ProviderAuthGuard does not guard must not look authenticated.
// A WeakMap ends with its request. Kept under a Symbol.for() key so that the ESM and CommonJS builds,
// both loaded, share it (the guard from one, limitByPrincipal() from the other).
const LOOKUPS = Symbol.for('nest-provider-auth:throttler-principal-lookups');
const registry = globalThis as { [LOOKUPS]?: WeakMap<object, Lookup> };
const lookups = (registry[LOOKUPS] ??= new WeakMap<object, Lookup>());

/**
 * Registers how to find the request's principal when it has none on `request.user`. Lazy and run
 * at most once: nothing is verified for a request no tracker or limit asks about (@SkipThrottle()).
 */
export function deferPrincipal(req: object, find: Lookup): void {
  if (lookups.has(req)) return;
  let found: Promise<Principal | undefined> | undefined;
  lookups.set(req, () => (found ??= find()));
}

/** principalOf(), else the principal that ProviderThrottlerGuard authenticated itself (deferPrincipal). */
export function trackedPrincipalOf(req: { user?: unknown } | undefined): Principal | Promise<Principal | undefined> | undefined {
  const principal = principalOf(req);
  if (principal || typeof req !== 'object' || req === null) return principal;
  return lookups.get(req)?.();
}

/**
 * Whose budget a request spends: `key:<keyId>` for an API key, `user:<sub>` for a user's token.
 * Neither is a secret (a key's id, not the key); @nestjs/throttler hashes the storage key anyway.
 */
export function principalTracker(principal: Principal): string {
  return principal.kind === 'api_key' ? `key:${principal.keyId}` : `user:${principal.sub}`;
}
