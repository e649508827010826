import { AFFILYNC } from '../dialects/affilync.dialect.js';
import type { Role } from './principal.js';

/** The default scope catalogue: Affilync's documented key scopes. */
export const DEFAULT_SCOPES: readonly string[] = AFFILYNC.scopes;

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
