/** What a request offers as a bearer credential (RFC 6750, header method only). */
export type Extraction =
  | { kind: 'token'; token: string }
  /** No Authorization header. */
  | { kind: 'missing' }
  /** An Authorization header with another scheme (Basic, Digest, …). */
  | { kind: 'other-scheme' }
  /** A Bearer header that is not `Bearer <b64token>`. */
  | { kind: 'malformed' }
  /** `access_token` in the query string or the body: refused, never read (RFC 6750 §2.2/2.3 are not supported). */
  | { kind: 'outside-header' }
  /** More than one Authorization header (RFC 6750 §3.1 invalid_request); Node keeps only the first. */
  | { kind: 'duplicate-header' };

/** What a credential is read from: a request (or a transport's stand-in for one), as far as extraction looks. */
export interface RequestLike {
  headers?: Record<string, unknown>;
  /** Node's raw header list (Express's request is Node's). */
  rawHeaders?: unknown;
  /** Fastify's request wraps Node's. */
  raw?: { rawHeaders?: unknown };
  query?: unknown;
  body?: unknown;
  url?: unknown;
  originalUrl?: unknown;
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token. We allow exactly one space, as
// passport-http-bearer does, so both doors accept the same headers.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME_ONLY = /^bearer(\s|$)/i;

/** Reads the credential of a request the way ProviderAuthGuard and ProviderBearerStrategy both do. */
export function extractBearer(req: RequestLike): Extraction {
  if (hasSeveralAuthorizationHeaders(req)) return { kind: 'duplicate-header' };
  if (carriesTokenOutsideHeader(req)) return { kind: 'outside-header' };
  const header = req.headers?.authorization;
  if (header === undefined || header === '') return { kind: 'missing' };
  if (typeof header !== 'string') return { kind: 'malformed' };
  const m = BEARER.exec(header);
  if (m) return { kind: 'token', token: m[1] };
  return SCHEME_ONLY.test(header.trimStart()) ? { kind: 'malformed' } : { kind: 'other-scheme' };
}

/**
 * The fast path's reading: the whole Authorization value, when it is the request's only
 * Authorization header and no token rides in the query or body; undefined otherwise. Not
 * validated: it is only looked up, as `Bearer <credential>` exactly, among credentials that passed
 * extractBearer() and verification before, and anything else goes the full way.
 */
export function bearerHeaderCandidate(req: RequestLike): string | undefined {
  const header = req.headers?.authorization;
  if (typeof header !== 'string') return undefined;
  return hasSeveralAuthorizationHeaders(req) || carriesTokenOutsideHeader(req) ? undefined : header;
}

/**
 * Node's parser keeps only the first Authorization header, so a second one (perhaps added by a
 * proxy, perhaps by an attacker) would go unseen; the raw list has them all. A plain loop: this
 * runs on every guarded request, a name is compared only when its length matches, and the two
 * usual spellings without lower-casing (which allocates).
 */
function hasSeveralAuthorizationHeaders(req: RequestLike): boolean {
  const raw = Array.isArray(req.rawHeaders) ? req.rawHeaders : req.raw?.rawHeaders;
  if (!Array.isArray(raw)) return false;
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name: unknown = raw[i];
    if (typeof name === 'string' && name.length === 13 && isAuthorization(name)) {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

function isAuthorization(name: string): boolean {
  return name === 'Authorization' || name === 'authorization' || name.toLowerCase() === 'authorization';
}

function carriesTokenOutsideHeader(req: RequestLike): boolean {
  if (hasTokenKey(req.body)) return true;
  const url = typeof req.originalUrl === 'string' ? req.originalUrl : typeof req.url === 'string' ? req.url : undefined;
  // The parsed query comes from the URL: without a '?' it holds nothing (and Express parses it
  // anew on every read of req.query). A request without a URL string is judged by its query alone.
  if (url === undefined) return hasTokenKey(req.query);
  const q = url.indexOf('?');
  if (q < 0) return false;
  if (hasTokenKey(req.query)) return true;
  try {
    for (const name of new URLSearchParams(url.slice(q + 1)).keys()) if (isTokenName(name)) return true;
  } catch {
    return true; // an unparseable query string is not trusted either
  }
  return false;
}

function hasTokenKey(container: unknown): boolean {
  if (typeof container !== 'object' || container === null) return false;
  return Object.keys(container).some(isTokenName);
}

function isTokenName(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'access_token' || n.startsWith('access_token[');
}
