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

/**
 * Whose budget a request spends: `key:<keyId>` for an API key, `user:<sub>` for a user's token.
 * Neither is a secret (a key's id, not the key); @nestjs/throttler hashes the storage key anyway.
 */
export function principalTracker(principal: Principal): string {
  return principal.kind === 'api_key' ? `key:${principal.keyId}` : `user:${principal.sub}`;
}
