import { CONVERTLY } from '../dialects/convertly.dialect.js';
import { emptyCounters, type ProviderCounters } from './emulator-types.js';
import { TokenBook } from './emulator-tokens.js';
import type { StoredUser, UserDirectory } from './emulator-users.js';
import { reasonPhrase } from './faults.js';
import { intParam, matchRoute, parseJsonObject, type Headers, type RequestContext, type Route } from './http-io.js';
import { CONVERTLY_AFFILIATES } from './fixtures.js';
import type { ProviderApp, RequestKind } from './request-pipeline.js';

/** Plans with API access (help.convertlyhq.com/api/authentication: Starter gets 403). */
const API_PLANS: ReadonlySet<string> = new Set(['growth', 'scale']);

/** NestJS's default exception body. */
interface ConvertlyError {
  statusCode: number;
  message: string;
  error: string;
}

function error(status: number, message: string): ConvertlyError {
  return { statusCode: status, message, error: reasonPhrase(status) };
}

const INVALID_TOKEN = error(401, 'Invalid token');
const EXPIRED_TOKEN = error(401, 'Token expired');

interface Handler extends Route {
  run: (ctx: RequestContext, id: string) => Promise<void> | void;
}

/** Convertly under /v1: one access token per login, refreshed by itself (and then dead), plan-gated API. */
export class ConvertlyApp implements ProviderApp {
  readonly provider = 'convertly' as const;
  readonly basePath = CONVERTLY.basePath;
  readonly counters: ProviderCounters = emptyCounters();
  private readonly tokens = new TokenBook(false);
  private nextAffiliate = CONVERTLY_AFFILIATES.length + 1;

  private readonly routes: Handler[] = [
    { method: 'GET', pattern: /^\/affiliates$/, run: (ctx) => this.listAffiliates(ctx) },
    { method: 'GET', pattern: /^\/affiliates\/([^/]+)$/, run: (ctx, id) => this.getAffiliate(ctx, id) },
    { method: 'POST', pattern: /^\/affiliates$/, run: (ctx) => this.createAffiliate(ctx) },
  ];

  constructor(
    private readonly users: UserDirectory,
    private readonly accessTtlSec: number,
  ) {}

  revokeAccessTokens(): void {
    this.tokens.revokeAll('access');
  }

  classify(method: string, path: string | undefined): RequestKind {
    if (method === 'POST' && path === CONVERTLY.loginPath) return 'login';
    if (method === 'POST' && path === CONVERTLY.refreshPath) return 'refresh';
    return 'resource';
  }

  resourceHeaders(): Headers {
    return {}; // Convertly documents no X-RateLimit-* headers
  }

  errorAnswer(status: number): { body: unknown; headers: Headers } {
    return { body: error(status, reasonPhrase(status)), headers: {} };
  }

  async handle(kind: RequestKind, ctx: RequestContext): Promise<void> {
    if (kind === 'login') return this.login(ctx);
    if (kind === 'refresh') return this.refresh(ctx);

    const match = matchRoute(this.routes, ctx.method, ctx.path);
    if (!match) return this.fail(ctx, error(404, 'Not Found'));
    const caller = this.authenticate(ctx);
    if (!caller.ok) return this.fail(ctx, caller.error);
    if (!API_PLANS.has(caller.user.plan.toLowerCase())) {
      return this.fail(ctx, error(403, 'API access requires the Growth or Scale plan'));
    }
    await match.route.run(ctx, match.id);
  }

  // --- auth routes ---

  private async login(ctx: RequestContext): Promise<void> {
    const body = parseJsonObject(await ctx.text());
    if (typeof body?.email !== 'string' || typeof body.password !== 'string') {
      this.counters.failedLogins++;
      return ctx.send(400, error(400, 'Validation failed'));
    }
    const user = this.users.authenticate(body.email, body.password);
    if (!user) {
      this.counters.failedLogins++;
      return ctx.send(401, error(401, 'Invalid credentials'));
    }
    this.counters.logins++;
    ctx.send(200, { data: { accessToken: this.issue(user), user: { id: user.id, email: user.email, brandId: user.brandId } } });
  }

  /** Bearer the current, unexpired token, no body: a new token; the one sent dies at once. */
  private refresh(ctx: RequestContext): void {
    const caller = this.authenticate(ctx);
    if (!caller.ok) {
      this.counters.failedRefreshes++;
      return ctx.send(401, caller.error);
    }
    this.tokens.revoke(caller.jti);
    this.counters.refreshes++;
    ctx.send(200, { data: { accessToken: this.issue(caller.user) } });
  }

  private issue(user: StoredUser): string {
    return this.tokens.issue('access', user.id, this.accessTtlSec, { brandId: user.brandId });
  }

  private authenticate(ctx: RequestContext): { ok: true; user: StoredUser; jti: string } | { ok: false; error: ConvertlyError } {
    const token = ctx.bearer();
    if (token === undefined) return { ok: false, error: INVALID_TOKEN };
    const check = this.tokens.check(token, 'access');
    if (!check.ok) return { ok: false, error: check.reason === 'expired' ? EXPIRED_TOKEN : INVALID_TOKEN };
    const user = this.users.byId(check.sub);
    return user ? { ok: true, user, jti: check.jti } : { ok: false, error: INVALID_TOKEN };
  }

  /** An error answer to a resource request (a 401 counts as rejected). */
  private fail(ctx: RequestContext, err: ConvertlyError): void {
    if (err.statusCode === 401) this.counters.rejected++;
    ctx.send(err.statusCode, err);
  }

  // --- resource routes ---

  /** Cursor pagination; the cursor is base64url JSON `{"id": <last id of the previous page>}`. */
  private listAffiliates(ctx: RequestContext): void {
    const p = CONVERTLY.pagination;
    const q = ctx.url.searchParams;
    const limit = intParam(q, p.limitParam) ?? p.defaultLimit;
    if (Number.isNaN(limit)) return this.fail(ctx, error(400, `${p.limitParam} must be an integer number`));
    if (limit < 1) return this.fail(ctx, error(400, `${p.limitParam} must not be less than 1`));
    if (limit > p.maxPerPage) return this.fail(ctx, error(400, `${p.limitParam} must not be greater than ${p.maxPerPage}`));
    const cursor = q.get(p.cursorParam);
    let start = 0;
    if (cursor !== null && cursor !== '') {
      const after = decodeCursor(cursor);
      const i = after === undefined ? -1 : CONVERTLY_AFFILIATES.findIndex((a) => a.id === after);
      if (i < 0) return this.fail(ctx, error(400, `${p.cursorParam} is invalid`));
      start = i + 1;
    }
    const data = CONVERTLY_AFFILIATES.slice(start, start + limit);
    const more = start + limit < CONVERTLY_AFFILIATES.length;
    const next = more ? encodeCursor(data[data.length - 1].id) : null;
    ctx.send(200, { data, meta: { total: CONVERTLY_AFFILIATES.length, cursor: next } });
  }

  private getAffiliate(ctx: RequestContext, id: string): void {
    const affiliate = CONVERTLY_AFFILIATES.find((a) => a.id === id);
    if (!affiliate) return this.fail(ctx, error(404, 'Affiliate not found'));
    ctx.send(200, { data: affiliate });
  }

  private async createAffiliate(ctx: RequestContext): Promise<void> {
    const body = parseJsonObject(await ctx.text());
    if (!body) return this.fail(ctx, error(400, 'Validation failed'));
    const id = `aff_${String(this.nextAffiliate++).padStart(2, '0')}`;
    ctx.send(201, { data: { ...body, id } });
  }
}

function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ id: lastId })).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  const parsed = parseJsonObject(Buffer.from(cursor, 'base64url').toString('utf8'));
  return typeof parsed?.id === 'string' ? parsed.id : undefined;
}
