import { isErrorKind, markErrorKinds } from '../error-kinds.js';
import type { ProviderDialect } from '../dialects/dialect.interface.js';

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

// The client sends credentials in the Authorization header only; these would put one in a URL.
const CREDENTIAL_PARAMS = new Set(['api_key', 'apikey', 'access_token', 'refresh_token', 'token']);

/** A call path the caller gave us was unusable. */
export class InvalidRequestPathError extends TypeError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isErrorKind(this, value);
  }

  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestPathError';
    markErrorKinds(this);
  }
}

/**
 * Whether a path, once percent-decoded (as often as a server or proxy might: `%252e` is `%2e`
 * decoded once more), holds a `.` or `..` segment or a `/` or `\` inside a segment. Either would
 * be normalised to somewhere outside the base URL, with the token on the request.
 */
function hidesSegmentSyntax(pathOnly: string): boolean {
  // Literal dot segments and backslashes are refused by the caller; only encodings hide here.
  if (!pathOnly.includes('%')) return false;
  return pathOnly.split('/').some((segment) => {
    const decoded = decodeFully(segment);
    return decoded === '.' || decoded === '..' || /[/\\]/.test(decoded);
  });
}

/** Percent-decodes until nothing changes; each pass only shortens, so it ends. Bytes stay bytes. */
function decodeFully(text: string): string {
  let current = text;
  for (;;) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) return current;
    current = next;
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
  const q = path.indexOf('?');
  const pathOnly = q < 0 ? path : path.slice(0, q);
  if (/[\s\\#]|:\/\//.test(path) || /(^|\/)\.\.?(\/|$|\?)/.test(path) || hidesSegmentSyntax(pathOnly)) {
    throw new InvalidRequestPathError(
      `${dialect.displayName} call path must be a plain relative path, without '..', '#', '\\', spaces or a scheme, encoded or not`,
    );
  }
  const base = dialect.basePath;
  if (pathOnly === base || pathOnly.startsWith(`${base}/`)) {
    throw new InvalidRequestPathError(
      `${dialect.displayName} call path repeats '${base}/': the base URL already ends in '${base}', so call '${pathOnly.slice(base.length) || '/'}'`,
    );
  }
  // Most calls carry no query: nothing to encode or check.
  if (q < 0 && isEmpty(query)) return basePathname + pathOnly;
  const search = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
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

function isEmpty(query: Query | undefined): boolean {
  for (const name in query) if (Object.hasOwn(query, name)) return false;
  return true;
}
