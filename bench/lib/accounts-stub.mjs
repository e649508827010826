// The many-accounts provider for the accounts benchmark, in its own process: an Affilync origin and
// a Convertly origin (two node:http servers), each knowing every bench account. Logins are per
// account and hand out a fresh token each time (Affilync rotates its refresh tokens too); a
// resource call is answered only with a live credential of a known account. Counts logins, refreshes
// and calls per account, and the TCP connections each origin has open (now, at most, in all).
// Affilync answers carry X-RateLimit-* headers for a budget far above what the bench spends, so the
// clients' per-account pacing does its bookkeeping on every call without ever waiting.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * The bench's accounts, the same in every process that asks: Affilync accounts alternate API key
 * (even) and login (odd); every Convertly account logs in.
 */
export function benchAccounts(n) {
  const h = (s) => createHash('sha256').update(s).digest('hex');
  return Array.from({ length: n }, (_, i) => ({
    id: `acct_${i}`,
    email: `brand${i}@bench.example`,
    password: `pw-${h(`password ${i}`).slice(0, 24)}`,
    apiKey: `afk_live_${h(`key ${i}`).slice(0, 40)}`,
    affilyncBy: i % 2 === 0 ? 'apiKey' : 'login',
  }));
}

const TTL_SEC = 3600;
const RATE_LIMIT = 1_000_000_000;

function serve() {
  const accounts = benchAccounts(Number(process.argv[2] ?? 1000));
  const byEmail = new Map(accounts.map((a) => [a.email, a]));
  const byKey = new Map(accounts.map((a) => [a.apiKey, a]));
  const fresh = () => new Map(accounts.map((a) => [a.id, { logins: 0, refreshes: 0, calls: 0 }]));
  const counts = { affilync: fresh(), convertly: fresh() };
  /** Live access tokens and Affilync refresh tokens → account id. */
  const live = new Map();
  const refreshTokens = new Map();
  let refused = 0;
  const rand = (prefix) => prefix + randomBytes(12).toString('hex');
  const jwtShaped = (id) => {
    const iat = Math.floor(Date.now() / 1000);
    const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: id, iat, exp: iat + TTL_SEC, jti: rand('') })}.${randomBytes(16).toString('base64url')}`;
  };
  const json = (res, status, body, headers = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const login = (provider, body) => {
    const b = JSON.parse(body || '{}');
    const a = byEmail.get(b.email);
    if (!a || a.password !== b.password) return undefined;
    counts[provider].get(a.id).logins++;
    return a;
  };
  const bearer = (req) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const caller = (req) => {
    const c = bearer(req);
    return c === undefined ? undefined : (byKey.get(c)?.id ?? live.get(c));
  };
  // Affilync's budget per credential: a window of a minute, as documented, with a limit never reached.
  const windows = new Map();
  const rateHeaders = (credential) => {
    const now = Date.now();
    let w = windows.get(credential);
    if (!w || now >= w.end) windows.set(credential, (w = { end: now + 60_000, used: 0 }));
    w.used++;
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(RATE_LIMIT - w.used),
      'x-ratelimit-reset': String(Math.ceil(w.end / 1000)),
    };
  };

  const affilync = (req, res, body) => {
    if (req.method === 'POST' && req.url === '/api/auth/login') {
      const a = login('affilync', body);
      if (!a) return json(res, 401, { detail: 'Invalid email or password', error_code: 'TOKEN_INVALID', status: 401 });
      const access = rand('aff_at_');
      const refresh = rand('aff_rt_');
      live.set(access, a.id);
      refreshTokens.set(refresh, a.id);
      return json(res, 200, { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: TTL_SEC });
    }
    if (req.method === 'POST' && req.url === '/api/auth/refresh') {
      const token = JSON.parse(body || '{}').refresh_token;
      const id = refreshTokens.get(token);
      if (id === undefined) return json(res, 401, { detail: 'Refresh token is invalid or revoked', error_code: 'TOKEN_INVALID', status: 401 });
      refreshTokens.delete(token); // rotation: each refresh token works once
      counts.affilync.get(id).refreshes++;
      const access = rand('aff_at_');
      const refresh = rand('aff_rt_');
      live.set(access, id);
      refreshTokens.set(refresh, id);
      return json(res, 200, { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: TTL_SEC });
    }
    const id = caller(req);
    if (id === undefined) {
      refused++;
      return json(res, 401, { detail: 'Invalid token', error_code: 'TOKEN_INVALID', status: 401 });
    }
    counts.affilync.get(id).calls++;
    if (req.method === 'GET' && req.url.split('?')[0] === '/api/campaigns') {
      return json(res, 200, { data: [{ id: 'cmp_1', name: 'Spring' }], meta: { total: 1, page: 1, per_page: 20 } }, rateHeaders(bearer(req)));
    }
    return json(res, 404, { detail: 'Not found', error_code: 'RESOURCE_NOT_FOUND', status: 404 });
  };

  const convertly = (req, res, body) => {
    if (req.method === 'POST' && req.url === '/v1/auth/brand/login') {
      const a = login('convertly', body);
      if (!a) return json(res, 401, { statusCode: 401, message: 'Invalid credentials', error: 'Unauthorized' });
      const access = jwtShaped(a.id);
      live.set(access, a.id);
      return json(res, 201, { data: { accessToken: access, user: { id: a.id, email: a.email } } });
    }
    if (req.method === 'POST' && req.url === '/v1/auth/refresh') {
      const id = caller(req);
      if (id === undefined) return json(res, 401, { statusCode: 401, message: 'Invalid token', error: 'Unauthorized' });
      live.delete(bearer(req)); // the old token is invalidated
      counts.convertly.get(id).refreshes++;
      const access = jwtShaped(id);
      live.set(access, id);
      return json(res, 201, { data: { accessToken: access } });
    }
    const id = caller(req);
    if (id === undefined) {
      refused++;
      return json(res, 401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
    }
    counts.convertly.get(id).calls++;
    if (req.method === 'GET' && req.url.split('?')[0] === '/v1/affiliates') {
      return json(res, 200, { data: [{ id: 'aff_01', name: 'Ada' }], meta: { total: 1, cursor: null } });
    }
    return json(res, 404, { statusCode: 404, message: 'Not Found', error: 'Not Found' });
  };

  const origins = {};
  const listen = (name, handle) => {
    const sockets = { open: 0, peak: 0, opened: 0 };
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => handle(req, res, body));
    });
    server.on('connection', (socket) => {
      sockets.opened++;
      sockets.peak = Math.max(sockets.peak, ++sockets.open);
      socket.once('close', () => sockets.open--);
    });
    server.keepAliveTimeout = 60_000;
    origins[name] = { server, sockets };
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
  };

  Promise.all([listen('affilync', affilync), listen('convertly', convertly)]).then(([affilyncOrigin, convertlyOrigin]) =>
    process.send({ affilyncOrigin, convertlyOrigin }),
  );

  process.on('message', (m) => {
    if (m?.cmd === 'counts') {
      const of = (provider) => {
        const per = [...counts[provider].values()];
        return {
          // Per account, in benchAccounts() order: an Affilync API-key account logs in 0 times.
          logins: per.map((c) => c.logins),
          refreshes: per.reduce((n, c) => n + c.refreshes, 0),
          calls: per.reduce((n, c) => n + c.calls, 0),
          sockets: { ...origins[provider].sockets },
        };
      };
      process.send({ counts: { affilync: of('affilync'), convertly: of('convertly'), refused } });
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
