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
  raw?: { rawHeaders?: unknown; url?: unknown; originalUrl?: unknown };
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
  const headers = req.headers;
  const refusal = framingRefusal(req, headers);
  if (refusal) return { kind: refusal };
  const header = headers?.authorization;
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
 * extractBearer() and verification before, and anything else goes the full way. `headers` is
 * `req.headers`, read once by the caller.
 */
export function bearerHeaderCandidate(req: RequestLike, headers: Record<string, unknown>): string | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string') return undefined;
  return framingRefusal(req, headers) === undefined ? header : undefined;
}

/**
 * Why a request is refused whatever its Authorization value says: a second Authorization header,
 * or a token outside the header. Each property of the request is read once, and only those needed:
 * on Express every read of a request property is a lookup that no inline cache holds (Express sets
 * each request's prototype, after which V8 gives every request object a map of its own), so each
 * read costs about a microsecond under load.
 */
function framingRefusal(req: RequestLike, headers: Record<string, unknown> | undefined): 'duplicate-header' | 'outside-header' | undefined {
  const own = req.rawHeaders;
  let rawHeaders: unknown;
  let url: unknown;
  if (Array.isArray(own)) {
    // Node's request (Express's, a transport's stand-in). Express keeps the URL before any router
    // rewrote it in originalUrl.
    rawHeaders = own;
    const original = req.originalUrl;
    url = typeof original === 'string' ? original : req.url;
  } else {
    // Fastify's request wraps Node's; its own originalUrl getter would add a property to every
    // request it is read on, so the URL comes from the wrapped one (originalUrl there when
    // Fastify's rewriteUrl changed it).
    const wrapped = req.raw;
    rawHeaders = wrapped?.rawHeaders;
    const original = wrapped?.originalUrl;
    url = typeof original === 'string' ? original : typeof wrapped?.url === 'string' ? wrapped.url : (req.originalUrl ?? req.url);
  }
  if (hasSeveralAuthorizationHeaders(rawHeaders)) return 'duplicate-header';
  if (carriesTokenOutsideHeader(req, headers, url)) return 'outside-header';
  return undefined;
}

/**
 * Node's parser keeps only the first Authorization header, so a second one (perhaps added by a
 * proxy, perhaps by an attacker) would go unseen; the raw list has them all. A plain loop: this
 * runs on every guarded request, a name is compared only when its length matches, and the two
 * usual spellings without lower-casing (which allocates).
 */
function hasSeveralAuthorizationHeaders(raw: unknown): boolean {
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

/**
 * An `access_token` in the body or the query (`url` is the request's). The body is looked at only
 * when the request has one (or may: HTTP/2, or headers unknown): a body parser — body-parser's
 * `typeis.hasBody()`, Fastify's — reads none without Content-Length or Transfer-Encoding, and a
 * GET then spares a read of `req.body` (on Express a walk of the whole prototype chain).
 */
function carriesTokenOutsideHeader(req: RequestLike, headers: Record<string, unknown> | undefined, url: unknown): boolean {
  if (mayCarryBody(headers) && hasTokenKey(req.body)) return true;
  // The parsed query comes from the URL: without a '?' it holds nothing (and Express parses it
  // anew on every read of req.query). A request without a URL string is judged by its query alone.
  if (typeof url !== 'string') return hasTokenKey(req.query);
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

function mayCarryBody(headers: Record<string, unknown> | undefined): boolean {
  if (typeof headers !== 'object' || headers === null) return true;
  // ':method' is among the headers of an HTTP/2 request only, whose body needs no length header.
  return headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined || headers[':method'] !== undefined;
}

function hasTokenKey(container: unknown): boolean {
  if (typeof container !== 'object' || container === null) return false;
  return Object.keys(container).some(isTokenName);
}

function isTokenName(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'access_token' || n.startsWith('access_token[');
}
