import { randomBytes } from 'node:crypto';
import { secretAudit } from './secret-audit.js';
import { FakeServer, type FakeAnswer, type FakeRequest } from './fake-server.js';

/**
 * Independent stand-ins for the two providers, written from their docs (not from our dialects),
 * with switches to misbehave. Tokens are random; Convertly's are JWT-shaped so `exp` can be read.
 */
const rand = (prefix = '') => prefix + randomBytes(12).toString('hex');

export interface Counters {
  logins: number;
  failedLogins: number;
  refreshes: number;
  failedRefreshes: number;
  calls: number;
  rejected: number;
}

const counters = (): Counters => ({ logins: 0, failedLogins: 0, refreshes: 0, failedRefreshes: 0, calls: 0, rejected: 0 });

const bearer = (req: FakeRequest) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

/** Affilync per docs.affilync.com/api/authentication: key or login, rotating refresh tokens. */
export class FakeAffilync {
  readonly counters = counters();
  email = 'ops@example.com';
  password = 'correct horse battery staple';
  apiKey = rand('afk_live_');
  ttlSec = 3600;
  /** Answer 401 to every resource call. */
  rejectAll = false;
  /** Refuse every refresh with 401. */
  refuseRefresh = false;
  /** Delay login/refresh answers (ms). */
  authDelayMs = 0;
  readonly access = new Map<string, number>(); // token -> expiresAt
  readonly refresh = new Set<string>();
  readonly usedRefreshTokens: string[] = [];
  readonly issuedRefreshTokens: string[] = [];
  private constructor(readonly server: FakeServer) {}

  static async start(): Promise<FakeAffilync> {
    const fake: FakeAffilync = new FakeAffilync(await FakeServer.start((req) => fake.answer(req)));
    secretAudit.registerSecret(fake.password, fake.apiKey);
    return fake;
  }

  get baseUrl(): string {
    return `${this.server.origin}/api`;
  }

  /** Server-side revocation of every access token issued so far. */
  revokeAccessTokens(): void {
    this.access.clear();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private pair() {
    const access = rand('eyJaff.'),
      refresh = rand('eyJref.');
    this.access.set(access, Date.now() + this.ttlSec * 1000);
    this.refresh.add(refresh);
    this.issuedRefreshTokens.push(refresh);
    secretAudit.registerSecret(access, refresh);
    return { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: this.ttlSec };
  }

  private err(status: number, code: string, detail: string): FakeAnswer {
    return { status, json: { detail, error_code: code, status } };
  }

  private async answer(req: FakeRequest): Promise<FakeAnswer> {
    if (req.method === 'POST' && req.path === '/api/auth/login') {
      if (this.authDelayMs) await new Promise((r) => setTimeout(r, this.authDelayMs));
      const b = JSON.parse(req.body || '{}');
      if (b.email !== this.email || b.password !== this.password) {
        this.counters.failedLogins++;
        return this.err(401, 'TOKEN_INVALID', 'Invalid email or password');
      }
      this.counters.logins++;
      return { json: this.pair() };
    }
    if (req.method === 'POST' && req.path === '/api/auth/refresh') {
      if (this.authDelayMs) await new Promise((r) => setTimeout(r, this.authDelayMs));
      const token = JSON.parse(req.body || '{}').refresh_token;
      this.usedRefreshTokens.push(token);
      if (this.refuseRefresh || !this.refresh.delete(token)) {
        this.counters.failedRefreshes++;
        return this.err(401, 'TOKEN_INVALID', 'Refresh token is invalid or revoked');
      }
      this.counters.refreshes++;
      return { json: this.pair() };
    }
    this.counters.calls++;
    const cred = bearer(req);
    const exp = cred ? this.access.get(cred) : undefined;
    const ok = cred === this.apiKey || (exp !== undefined && exp > Date.now());
    if (this.rejectAll || !ok) {
      this.counters.rejected++;
      return exp !== undefined && !this.rejectAll
        ? this.err(401, 'TOKEN_EXPIRED', 'Token has expired')
        : this.err(401, 'TOKEN_INVALID', 'Token is malformed or revoked');
    }
    const rl = { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '287', 'X-RateLimit-Reset': '30' };
    if (req.path === '/api/campaigns' && req.method === 'GET') {
      return { headers: rl, json: { data: [{ id: 'cmp_1' }, { id: 'cmp_2' }], meta: { page: 1, per_page: 20, total: 2 } } };
    }
    if (req.path === '/api/links' && req.method === 'POST') return { status: 201, headers: rl, json: { id: 'lnk_9', ...JSON.parse(req.body) } };
    if (req.path.startsWith('/api/links/') && (req.method === 'PUT' || req.method === 'PATCH')) {
      return { headers: rl, json: { id: req.path.split('/').pop(), method: req.method, ...JSON.parse(req.body) } };
    }
    if (req.path.startsWith('/api/links/') && req.method === 'DELETE') return { status: 204, headers: rl };
    return this.err(404, 'RESOURCE_NOT_FOUND', 'Not found');
  }
}

function jwtLike(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}.${randomBytes(16).toString('base64url')}`;
}

/** Convertly per help.convertlyhq.com/api/authentication: login, refresh that kills the old token. */
export class FakeConvertly {
  readonly counters = counters();
  email = 'brand@example.com';
  password = 'another long password';
  ttlSec = 24 * 3600;
  rejectAll = false;
  authDelayMs = 0;
  /** Delay before a resource call's token is checked, so calls are in flight across a refresh. */
  callDelayMs = 0;
  readonly live = new Map<string, number>(); // token -> expiresAt
  private constructor(readonly server: FakeServer) {}

  static async start(): Promise<FakeConvertly> {
    const fake: FakeConvertly = new FakeConvertly(await FakeServer.start((req) => fake.answer(req)));
    secretAudit.registerSecret(fake.password);
    return fake;
  }

  get baseUrl(): string {
    return `${this.server.origin}/v1`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private token(): string {
    const iat = Math.floor(Date.now() / 1000);
    // exp - iat carries the lifetime; sub-second lifetimes are rounded up to whole seconds.
    const t = jwtLike({ sub: 'abc123', brandId: 'brand_456', iat, exp: iat + this.ttlSec, jti: rand() });
    this.live.set(t, Date.now() + this.ttlSec * 1000);
    secretAudit.registerSecret(t);
    return t;
  }

  private err(status: number, message: string, error: string): FakeAnswer {
    return { status, json: { statusCode: status, message, error } };
  }

  private async answer(req: FakeRequest): Promise<FakeAnswer> {
    const isAuth = req.path.startsWith('/v1/auth/');
    if (!isAuth && this.callDelayMs) await new Promise((r) => setTimeout(r, this.callDelayMs));
    const cred = bearer(req);
    const exp = cred ? this.live.get(cred) : undefined;
    const alive = exp !== undefined && exp > Date.now();
    if (req.method === 'POST' && req.path === '/v1/auth/brand/login') {
      if (this.authDelayMs) await new Promise((r) => setTimeout(r, this.authDelayMs));
      const b = JSON.parse(req.body || '{}');
      if (b.email !== this.email || b.password !== this.password) {
        this.counters.failedLogins++;
        return this.err(401, 'Invalid credentials', 'Unauthorized');
      }
      this.counters.logins++;
      return { status: 201, json: { data: { accessToken: this.token(), user: { id: 'abc123', email: this.email, brandId: 'brand_456' } } } };
    }
    if (req.method === 'POST' && req.path === '/v1/auth/refresh') {
      if (this.authDelayMs) await new Promise((r) => setTimeout(r, this.authDelayMs));
      if (!alive) {
        this.counters.failedRefreshes++;
        return this.err(401, exp !== undefined ? 'Token expired' : 'Invalid token', 'Unauthorized');
      }
      this.live.delete(cred!); // "The old token is invalidated."
      this.counters.refreshes++;
      return { status: 201, json: { data: { accessToken: this.token() } } };
    }
    this.counters.calls++;
    if (this.rejectAll || !alive) {
      this.counters.rejected++;
      return this.err(401, exp !== undefined ? 'Token expired' : 'Unauthorized', 'Unauthorized');
    }
    if (req.path === '/v1/affiliates') return { json: { data: [{ id: 'aff_1' }], meta: { total: 1, cursor: null } } };
    return this.err(404, 'Not Found', 'Not Found');
  }
}
