/** Roles of our unified model: Affilync's Owner/Admin and Convertly's Brand Admin → admin; the rest → member. */
export type Role = 'admin' | 'member';

export const ROLES: readonly Role[] = ['admin', 'member'];

/** Who made an authenticated request; set on `request.user`. */
export type Principal = ApiKeyPrincipal | UserPrincipal;

export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: string;
  scopes: readonly string[];
}

export interface UserPrincipal {
  kind: 'user';
  sub: string;
  role: Role;
  /** Derived from the role at verification (tokens carry no scopes claim). */
  scopes: readonly string[];
  plan?: string;
  brandId?: string;
  /**
   * The custom claims given to `TokenService.issue({ claims })`, deep-frozen; absent when none were
   * issued. Signed, not encrypted: anyone holding the token can read them.
   */
  claims?: Readonly<Record<string, JsonValue>>;
}

/**
 * A JSON value as custom claims hold it: string, finite number, boolean, null, and arrays and plain
 * objects of those. Read-only, so that both mutable and frozen data can be passed in.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** admin satisfies member. */
export function roleSatisfies(has: Role, needs: Role): boolean {
  return has === needs || has === 'admin';
}
