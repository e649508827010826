import { randomBytes } from 'node:crypto';
import { FakeServer, type FakeAnswer, type FakeRequest } from './fake-server.js';
import { secretAudit } from './secret-audit.js';

/**
 * Affilync's and Convertly's documented resources, served from their docs (PROVIDERS.md §1.4–1.8,
 * §2.6, §2.8–2.9) and nothing of ours: not the dialects, not the emulator. Every request is
 * recorded; `fail()` queues answers of the test's choosing for a route.
 */
const rand = (prefix = '') => prefix + randomBytes(12).toString('hex');
const pad = (n: number) => String(n).padStart(3, '0');
const bearer = (req: FakeRequest) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

export interface Fault extends FakeAnswer {
  /** Act on the request first (record the conversion, say), then answer this instead: a lost answer. */
  afterActing?: boolean;
}

type Item = Record<string, unknown> & { id: string };

/** `[detail, error_code, status]` per api/errors. */
const affilyncError = (status: number, error_code: string, detail: string, fields?: { field: string; message: string }[]): FakeAnswer => ({
  status,
  json: { detail, error_code, status, ...(fields ? { fields } : {}) },
});

const notFound = () => affilyncError(404, 'RESOURCE_NOT_FOUND', 'Resource not found');

/** Affilync, in API-key mode (or email/password for the tests that need a short password). */
export class DocsAffilync {
  apiKey = rand('afk_live_');
  email = 'ops@example.com';
  password = 'a long enough password';
  /** How endpoints whose envelope the docs do not show answer: bare, or in `{ data }`. */
  envelope: 'bare' | 'data' = 'bare';
  /** Sent as X-RateLimit-Reset when set (its units are not documented). */
  rateLimitReset: string | undefined;
  readonly conversions = new Map<string, Item>();
  readonly campaigns: Item[];
  readonly links: Item[];
  readonly numbers: Item[];
  readonly calls: Item[];
  readonly commissions: Item[];
  private readonly faults = new Map<string, Fault[]>();
  private readonly tokens = new Set<string>();
  private created = 0;

  private constructor(
    readonly server: FakeServer,
    count: number,
  ) {
    const n = Array.from({ length: count }, (_, i) => i + 1);
    this.campaigns = n.map((i) => ({ id: `camp_${pad(i)}`, name: `Campaign ${i}` }));
    this.links = n.map((i) => ({ id: `lnk_${pad(i)}`, campaign_id: i % 2 ? 'camp_001' : 'camp_002', status: i % 5 ? 'active' : 'deactivated' }));
    this.numbers = n.map((i) => ({ id: `num_${pad(i)}`, type: 'local', area_code: '415' }));
    const outcomes = ['qualified', 'unqualified', 'voicemail', 'abandoned'];
    this.calls = n.map((i) => ({ id: `call_${pad(i)}`, number_id: 'num_001', campaign_id: 'camp_001', outcome: outcomes[i % 4], duration: 60 + i }));
    const statuses = ['pending', 'approved', 'paid', 'cancelled', 'reversed'];
    this.commissions = n.map((i) => ({ id: `comm_${pad(i)}`, status: statuses[i % 5], campaign_id: 'camp_001', amount: `${i}.50` }));
  }

  static async start(count = 250): Promise<DocsAffilync> {
    const fake: DocsAffilync = new DocsAffilync(await FakeServer.start((req) => fake.answer(req)), count);
    secretAudit.registerSecret(fake.apiKey, fake.password);
    return fake;
  }

  get baseUrl(): string {
    return `${this.server.origin}/api`;
  }

  /** Requests to resources (not to /auth/). */
  get requests(): FakeRequest[] {
    return this.server.requests.filter((r) => !r.path.startsWith('/api/auth/'));
  }

  /** The next calls to `method path` get these answers, one each, before the documented ones resume. */
  fail(method: string, path: string, ...faults: Fault[]): void {
    this.faults.set(`${method} ${path}`, [...(this.faults.get(`${method} ${path}`) ?? []), ...faults]);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async answer(req: FakeRequest): Promise<FakeAnswer> {
    if (req.method === 'POST' && req.path === '/api/auth/login') {
      const b = JSON.parse(req.body || '{}');
      if (b.email !== this.email || b.password !== this.password) return affilyncError(401, 'TOKEN_INVALID', 'Invalid email or password');
      const access = rand('eyJacc.');
      this.tokens.add(access);
      secretAudit.registerSecret(access);
      return { json: { access_token: access, refresh_token: rand('eyJref.'), token_type: 'bearer', expires_in: 3600 } };
    }
    const cred = bearer(req);
    if (cred !== this.apiKey && !this.tokens.has(cred ?? '')) return affilyncError(401, 'TOKEN_INVALID', 'Token is malformed or revoked');
    const headers: Record<string, string> = { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '287' };
    if (this.rateLimitReset !== undefined) headers['X-RateLimit-Reset'] = this.rateLimitReset;
    const queued = this.faults.get(`${req.method} ${req.path.replace(/^\/api/, '')}`);
    const fault = queued?.shift();
    if (fault && !fault.afterActing) return fault;
    const answer = this.route(req);
    if (fault) return fault;
    return { ...answer, headers: { ...headers, ...answer.headers } };
  }

  private route(req: FakeRequest): FakeAnswer {
    const path = req.path.replace(/^\/api/, '');
    const body = req.body ? JSON.parse(req.body) : undefined;
    const get = req.method === 'GET';
    const post = req.method === 'POST';
    let m: RegExpExecArray | null;
    if (get && path === '/campaigns') return this.list(req, this.campaigns, []);
    if (get && (m = /^\/campaigns\/([^/]+)\/commission-tiers$/.exec(path))) {
      if (!this.campaigns.some((c) => c.id === m![1])) return notFound();
      return {
        json: {
          data: [
            { tier: 1, min_conversions: 0, rate: '10.00' },
            { tier: 2, min_conversions: 50, rate: '12.50' },
          ],
        },
      };
    }
    if (get && path === '/links') return this.list(req, this.links, ['campaign_id', 'status']);
    if (post && path === '/links') {
      const invalid = this.linkProblems(body, 'campaign_id');
      if (invalid) return invalid;
      return { status: 201, json: this.newLink(body) };
    }
    if (post && path === '/links/bulk') {
      const links: unknown[] = Array.isArray(body?.links) ? body.links : [];
      for (const [i, l] of links.entries()) {
        const invalid = this.linkProblems(l, `links[${i}].campaign_id`);
        if (invalid) return invalid;
      }
      return { status: 201, json: { created: links.length, links: links.map((l) => this.newLink(l as Record<string, unknown>)) } };
    }
    if (post && path === '/conversions/track') return this.track(body);
    if (get && path === '/call-tracking/numbers') return this.list(req, this.numbers, []);
    if (post && path === '/call-tracking/numbers') {
      if (!['local', 'toll_free', 'vanity'].includes(body?.type))
        return affilyncError(422, 'VALIDATION_ERROR', 'Validation failed', [{ field: 'type', message: 'Unknown type' }]);
      return { status: 201, json: this.wrap({ id: `num_new${++this.created}`, ...body }) };
    }
    if (get && path === '/call-tracking/calls') return this.list(req, this.calls, ['number_id', 'campaign_id', 'outcome']);
    if (get && (m = /^\/call-tracking\/calls\/([^/]+)\/recording$/.exec(path))) {
      if (!this.calls.some((c) => c.id === m![1])) return notFound();
      return { json: this.wrap({ recording_url: `https://recordings.example/${m[1]}.mp3`, transcript_url: `https://recordings.example/${m[1]}.txt` }) };
    }
    if (get && path === '/commissions') return this.list(req, this.commissions, ['status', 'campaign_id']);
    if (get && (m = /^\/commissions\/([^/]+)$/.exec(path))) {
      const found = this.commissions.find((c) => c.id === decodeURIComponent(m![1]));
      return found ? { json: this.wrap(found) } : notFound();
    }
    if (get && path === '/affiliate/earnings/summary') {
      return { json: this.wrap({ total_earned: '1520.75', pending: '120.00', available_for_payout: '1400.75', currency: 'USD' }) };
    }
    if (post && path === '/webhooks') {
      return {
        status: 201,
        json: { id: `wh_e4f5g${++this.created}`, url: body.url, events: body.events, status: 'active', created_at: '2026-03-21T15:00:00Z' },
      };
    }
    return notFound();
  }

  /** §1.6: page (default 1), per_page (default 20, at most 100); filters by equality. */
  private list(req: FakeRequest, items: Item[], filters: string[]): FakeAnswer {
    const page = Number(req.query.get('page') ?? '1');
    const perPage = Number(req.query.get('per_page') ?? '20');
    if (perPage > 100) return affilyncError(422, 'VALIDATION_ERROR', 'Validation failed', [{ field: 'per_page', message: 'must be at most 100' }]);
    const kept = items.filter((item) => filters.every((f) => !req.query.has(f) || item[f] === req.query.get(f)));
    return { json: { data: kept.slice((page - 1) * perPage, page * perPage), meta: { page, per_page: perPage, total: kept.length } } };
  }

  private wrap(o: Record<string, unknown>): Record<string, unknown> {
    return this.envelope === 'data' ? { data: o } : o;
  }

  private linkProblems(body: unknown, field: string): FakeAnswer | undefined {
    const b = body as Record<string, unknown> | undefined;
    if (typeof b?.campaign_id !== 'string') return affilyncError(422, 'VALIDATION_ERROR', 'Validation failed', [{ field, message: 'Field required' }]);
    if (!this.campaigns.some((c) => c.id === b.campaign_id)) return affilyncError(409, 'CAMPAIGN_NOT_ACTIVE', 'The campaign is not active');
    return undefined;
  }

  private newLink(body: Record<string, unknown>): Item {
    const code = rand().slice(0, 8);
    return {
      id: `lnk_new${++this.created}`,
      status: 'active',
      ...body,
      tracking_url: `https://track.affilync.com/c/${code}`,
      short_url: `https://afl.ink/${code}`,
    };
  }

  /** api/conversions: click_id, order_id, amount (a string) required; order_id de-duplicates. */
  private track(body: Record<string, unknown> | undefined): FakeAnswer {
    const missing = ['click_id', 'order_id', 'amount'].filter((f) => typeof body?.[f] !== 'string');
    if (missing.length)
      return affilyncError(
        422,
        'VALIDATION_ERROR',
        'Validation failed',
        missing.map((field) => ({ field, message: 'Field required' })),
      );
    const orderId = body!.order_id as string;
    if (this.conversions.has(orderId)) return affilyncError(409, 'DUPLICATE_RESOURCE', 'A conversion with this order_id already exists');
    const conversion = { id: `conv_${pad(this.conversions.size + 1)}`, status: 'pending', currency: 'USD', event_type: 'sale', ...body };
    this.conversions.set(orderId, conversion);
    return { status: 201, json: { data: conversion } };
  }
}

/** Convertly: login (§2.2) and GET /affiliates with limit/cursor (§2.6). */
export class DocsConvertly {
  email = 'brand@example.com';
  password = 'another long password';
  readonly affiliates: Item[];
  private readonly tokens = new Set<string>();

  private constructor(
    readonly server: FakeServer,
    count: number,
  ) {
    const statuses = ['active', 'pending', 'paused', 'rejected'];
    this.affiliates = Array.from({ length: count }, (_, i) => ({ id: `def${pad(i + 1)}`, status: statuses[i % 4] }));
  }

  static async start(count = 250): Promise<DocsConvertly> {
    const fake: DocsConvertly = new DocsConvertly(await FakeServer.start((req) => fake.answer(req)), count);
    secretAudit.registerSecret(fake.password);
    return fake;
  }

  get baseUrl(): string {
    return `${this.server.origin}/v1`;
  }

  get requests(): FakeRequest[] {
    return this.server.requests.filter((r) => !r.path.startsWith('/v1/auth/'));
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private answer(req: FakeRequest): FakeAnswer {
    const err = (statusCode: number, message: string, error: string): FakeAnswer => ({ status: statusCode, json: { statusCode, message, error } });
    if (req.method === 'POST' && req.path === '/v1/auth/brand/login') {
      const b = JSON.parse(req.body || '{}');
      if (b.email !== this.email || b.password !== this.password) return err(401, 'Invalid credentials', 'Unauthorized');
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const iat = Math.floor(Date.now() / 1000);
      const token = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: 'abc123', iat, exp: iat + 86_400 })}.${rand()}`;
      this.tokens.add(token);
      secretAudit.registerSecret(token);
      return { status: 201, json: { data: { accessToken: token, user: { id: 'abc123', email: this.email, brandId: 'brand_456' } } } };
    }
    if (!this.tokens.has(bearer(req) ?? '')) return err(401, 'Unauthorized', 'Unauthorized');
    if (req.method === 'GET' && req.path === '/v1/affiliates') {
      const limit = Number(req.query.get('limit') ?? '20');
      if (!(limit >= 1 && limit <= 100)) return err(400, 'limit must not be greater than 100', 'Bad Request');
      const cursor = req.query.get('cursor');
      const after = cursor ? (JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { id: string }).id : undefined;
      const start = after === undefined ? 0 : this.affiliates.findIndex((a) => a.id === after) + 1;
      const data = this.affiliates.slice(start, start + limit);
      const last = start + limit >= this.affiliates.length ? null : Buffer.from(JSON.stringify({ id: data.at(-1)!.id })).toString('base64');
      return { json: { data, meta: { total: this.affiliates.length, cursor: last } } };
    }
    return err(404, 'Not Found', 'Not Found');
  }
}
