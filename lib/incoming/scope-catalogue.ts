import { AFFILYNC } from '../dialects/affilync.dialect.js';
import type { Role } from './principal.js';

/** The default scope catalogue: Affilync's documented key scopes. */
export const DEFAULT_SCOPES: readonly string[] = AFFILYNC.scopes;

/** A scope of the default catalogue, e.g. `'campaigns:read'`. */
export type DefaultScope = (typeof AFFILYNC.scopes)[number];

/**
 * Augment this interface to type your own scope catalogue (the one you give as `incoming.scopes`);
 * `catalogue` is the union of its scopes. Left empty, `Scope` is the default catalogue.
 *
 * @example
 * export const APP_SCOPES = ['reports:read', 'reports:write'] as const;
 * declare module 'nest-provider-auth' {
 *   interface ProviderAuthScopes { catalogue: (typeof APP_SCOPES)[number] }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty until a user augments it
export interface ProviderAuthScopes {}

/**
 * A scope name as `@Scopes()` and `ApiKeyService.create()` accept it: the augmented
 * `ProviderAuthScopes['catalogue']` when there is one, else a default scope. (A conditional on the
 * augmentation, because declaration merging cannot change the type of a property declared here.)
 */
export type Scope = ProviderAuthScopes extends { catalogue: infer S extends string } ? S : DefaultScope;

/**
 * Our role model (documented as ours in the README): admin holds every scope; member reads
 * everything and writes campaigns and affiliates — Convertly's Brand Member ("read all data;
 * write only campaigns and creators", creators being `affiliates` in its API).
 */
export function defaultRoleScopes(scopes: readonly string[]): Record<Role, string[]> {
  return {
    admin: [...scopes],
    member: scopes.filter((s) => s.endsWith(':read') || s === 'campaigns:write' || s === 'affiliates:write'),
  };
}

// RFC 6749 scope-token: printable ASCII without space, '"' and '\' (they would break WWW-Authenticate).
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * The catalogue scope a typo most likely meant: the closest by edit distance (a swap of two
 * neighbours counts once; case is ignored), when at most two edits away. Undefined when none is.
 *
 * @example closestScope('campaign:read', DEFAULT_SCOPES) // 'campaigns:read'
 */
export function closestScope(name: string, catalogue: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  for (const scope of catalogue) {
    const d = editDistance(wanted, scope.toLowerCase(), bestDistance);
    if (d < bestDistance) [best, bestDistance] = [scope, d];
  }
  return best;
}

const MAX_SUGGESTION_DISTANCE = 2;

/** Optimal-string-alignment distance, giving up (returning `limit`) once it reaches `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      row.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin >= limit) return limit;
    [before, prev] = [prev, row];
  }
  return Math.min(prev[b.length], limit);
}

const SECRET_PREFIXES = [AFFILYNC.apiKeyPrefix, AFFILYNC.webhook.secretPrefix];

/**
 * A would-be scope as an answer may quote it, or undefined: only what is shaped like a scope (a
 * scope token of at most 64 characters, not starting like an API key or webhook secret), so a
 * credential pasted into a scope list is never repeated back.
 */
export function quotableScope(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64 || !SCOPE_TOKEN.test(value)) return undefined;
  return SECRET_PREFIXES.some((p) => value.startsWith(p)) ? undefined : `'${value}'`;
}
