import type { ProviderDialect } from '../dialects/dialect.interface.js';

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

// The client sends credentials in the Authorization header only; these would put one in a URL.
const CREDENTIAL_PARAMS = new Set(['api_key', 'apikey', 'access_token', 'refresh_token', 'token']);

/** A call path the caller gave us was unusable. */
export class InvalidRequestPathError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestPathError';
  }
}

/**
 * The path to request: the base URL's own path, then the caller's path (relative to the base,
 * e.g. '/campaigns'), then the query. Refuses anything that could send the token elsewhere.
 */
export function resolveRequestPath(dialect: ProviderDialect, basePathname: string, path: string, query?: Query): string {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
    throw new InvalidRequestPathError(`${dialect.displayName} call path must start with a single '/', e.g. '/campaigns'`);
  }
  if (/[\s\\#]|:\/\//.test(path) || /(^|\/)\.\.?(\/|$|\?)/.test(path)) {
    throw new InvalidRequestPathError(`${dialect.displayName} call path must be a plain relative path, without '..', '#', '\\', spaces or a scheme`);
  }
  const pathOnly = path.split('?')[0];
  const base = dialect.basePath;
  if (pathOnly === base || pathOnly.startsWith(`${base}/`)) {
    throw new InvalidRequestPathError(
      `${dialect.displayName} call path repeats '${base}/': the base URL already ends in '${base}', so call '${pathOnly.slice(base.length) || '/'}'`,
    );
  }
  const search = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null) search.append(name, String(v));
    }
  }
  for (const name of search.keys()) {
    if (CREDENTIAL_PARAMS.has(name.toLowerCase())) {
      throw new InvalidRequestPathError(
        `${dialect.displayName} call query has '${name}': credentials never go in a URL; the client sends them in the Authorization header`,
      );
    }
  }
  const qs = search.toString();
  return `${basePathname}${pathOnly}${qs ? `?${qs}` : ''}`;
}
