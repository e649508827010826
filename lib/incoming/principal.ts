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
}

/** admin satisfies member. */
export function roleSatisfies(has: Role, needs: Role): boolean {
  return has === needs || has === 'admin';
}
