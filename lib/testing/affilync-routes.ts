import { randomBytes } from 'node:crypto';
import { AFFILYNC } from '../dialects/affilync.dialect.js';
import { emptyCounters, type ProviderCounters } from './emulator-types.js';
import { TokenBook } from './emulator-tokens.js';
import type { StoredUser, UserDirectory } from './emulator-users.js';
import { reasonPhrase } from './faults.js';
import { intParam, matchRoute, parseJsonObject, type Headers, type RequestContext, type Route } from './http-io.js';
import { AFFILYNC_CAMPAIGNS, AFFILYNC_LINKS } from './fixtures.js';
import type { ProviderApp, RequestKind } from './request-pipeline.js';

/** API-key scopes from docs.affilync.com (account/security, and the two the commissions page uses). */
/** Scopes an API key can carry (the dialect's catalogue). */
export const AFFILYNC_SCOPES = AFFILYNC.scopes;

/** The documented example value of X-RateLimit-Limit (the Pro plan's per-minute limit). */
const RATE_LIMIT_PER_MINUTE = 300;
/** Any credential with the key family's prefix ('afk_') is taken for an API key, whatever follows. */
const API_KEY_FAMILY = AFFILYNC.apiKeyPrefix.slice(0, AFFILYNC.apiKeyPrefix.indexOf('_') + 1);
const CODES = AFFILYNC.errorCodes;
const UNAUTHORIZED_HEADERS: Headers = { 'www-authenticate': 'Bearer realm="affilync"' };

interface AffilyncError {
  detail: string;
  error_code: string;
  status: number;
  fields?: { field: string; message: string }[];
}

interface Handler extends Route {
  scope: (typeof AFFILYNC_SCOPES)[number];
  run: (ctx: RequestContext, id: string) => Promise<void> | void;
}

type Caller = { ok: true; scopes: ReadonlySet<string> | 'all' } | { ok: false; error: AffilyncError };

function error(status: number, code: string, detail: string, fields?: AffilyncError['fields']): AffilyncError {
  return fields ? { detail, error_code: code, status, fields } : { detail, error_code: code, status };
}

/** Affilync under /api: token pairs with single-use refresh tokens, API keys with scopes, page pagination. */
export class AffilyncApp implements ProviderApp {
  readonly provider = 'affilync' as const;
  readonly basePath = AFFILYNC.basePath;
  readonly counters: ProviderCounters = emptyCounters();
  private readonly tokens = new TokenBook(true);
  private readonly apiKeys = new Map<string, ReadonlySet<string>>();
  /** Ids handed out by POST /links; the listed links stay the fixed 250. */
  private readonly createdLinks = new Set<string>();
  private nextLink = AFFILYNC_LINKS.length + 1;
  private rateWindowEnd = 0;
  private rateRemaining = RATE_LIMIT_PER_MINUTE;

  private readonly routes: Handler[] = [
    { method: 'GET', pattern: /^\/campaigns$/, scope: 'campaigns:read', run: (ctx) => this.list(ctx, AFFILYNC_CAMPAIGNS) },
    { method: 'GET', pattern: /^\/campaigns\/([^/]+)$/, scope: 'campaigns:read', run: (ctx, id) => this.getCampaign(ctx, id) },
    { method: 'GET', pattern: /^\/links$/, scope: 'links:read', run: (ctx) => this.listLinks(ctx) },
    { method: 'POST', pattern: /^\/links$/, scope: 'links:write', run: (ctx) => this.createLink(ctx) },
    { method: 'PUT', pattern: /^\/links\/([^/]+)$/, scope: 'links:write', run: (ctx, id) => this.updateLink(ctx, id, false) },
    { method: 'PATCH', pattern: /^\/links\/([^/]+)$/, scope: 'links:write', run: (ctx, id) => this.updateLink(ctx, id, true) },
    { method: 'DELETE', pattern: /^\/links\/([^/]+)$/, scope: 'links:write', run: (ctx, id) => this.deleteLink(ctx, id) },
  ];

  constructor(
    private readonly users: UserDirectory,
    private readonly accessTtlSec: number,
  ) {}

  createApiKey(scopes: readonly string[]): string {
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
      throw new TypeError('ProviderEmulator.createApiKey: scopes must be an array of strings');
    }
    const key = `${AFFILYNC.apiKeyPrefix}${randomBytes(16).toString('hex')}`;
    this.apiKeys.set(key, new Set(scopes));
    return key;
  }

  revokeApiKey(key: string): void {
    this.apiKeys.delete(key);
  }

  revokeAccessTokens(): void {
    this.tokens.revokeAll('access');
  }

  classify(method: string, path: string | undefined): RequestKind {
    if (method === 'POST' && path === AFFILYNC.loginPath) return 'login';
    if (method === 'POST' && path === AFFILYNC.refreshPath) return 'refresh';
    return 'resource';
  }

  resourceHeaders(): Headers {
    const nowSec = Math.floor(Date.now() / 1000);
    if (nowSec >= this.rateWindowEnd) {
      this.rateWindowEnd = Math.floor(nowSec / 60) * 60 + 60;
      this.rateRemaining = RATE_LIMIT_PER_MINUTE;
    }
    this.rateRemaining = Math.max(0, this.rateRemaining - 1);
    const h = AFFILYNC.rateLimitHeaders;
    return {
      [h.limit]: String(RATE_LIMIT_PER_MINUTE),
      [h.remaining]: String(this.rateRemaining),
      [h.reset]: String(this.rateWindowEnd),
    };
  }

  errorAnswer(status: number, kind: RequestKind): { body: unknown; headers: Headers } {
    const known: Record<number, [string, string]> = {
      401: [CODES.tokenInvalid, 'Invalid token'],
      403: [CODES.insufficientScope, 'API key lacks the required scope'],
      404: [CODES.notFound, 'Resource not found'],
      422: [CODES.validation, 'Validation failed'],
      429: [CODES.rateLimited, 'Rate limit exceeded'],
    };
    // No code is documented for other statuses (5xx included): one is made from the reason phrase.
    const phrase = reasonPhrase(status);
    const [code, detail] = known[status] ?? [phrase.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), phrase];
    const headers: Headers = status === 401 ? { ...UNAUTHORIZED_HEADERS } : {};
    if (status === 429 && kind === 'resource') headers[AFFILYNC.rateLimitHeaders.remaining] = '0';
    return { body: error(status, code, detail), headers };
  }

  async handle(kind: RequestKind, ctx: RequestContext): Promise<void> {
    if (kind === 'login') return this.login(ctx);
    if (kind === 'refresh') return this.refresh(ctx);

    const match = matchRoute(this.routes, ctx.method, ctx.path);
    if (!match) return this.fail(ctx, error(404, CODES.notFound, 'Not found'));
    const caller = this.authenticate(ctx);
    if (!caller.ok) return this.fail(ctx, caller.error);
    if (caller.scopes !== 'all' && !caller.scopes.has(match.route.scope)) {
      return this.fail(ctx, error(403, CODES.insufficientScope, 'API key lacks the required scope'));
    }
    await match.route.run(ctx, match.id);
  }

  // --- auth routes ---

  private async login(ctx: RequestContext): Promise<void> {
    const body = parseJsonObject(await ctx.text());
    const fields = missingStrings(body, ['email', 'password']);
    if (!body || fields.length > 0) {
      this.counters.failedLogins++;
      return this.reply(ctx, error(422, CODES.validation, 'Validation failed', fields));
    }
    const user = this.users.authenticate(body.email as string, body.password as string);
    if (!user) {
      this.counters.failedLogins++;
      return this.reply(ctx, error(401, CODES.tokenInvalid, 'Invalid email or password'));
    }
    this.counters.logins++;
    ctx.send(200, this.issuePair(user));
  }

  private async refresh(ctx: RequestContext): Promise<void> {
    const body = parseJsonObject(await ctx.text());
    const fields = missingStrings(body, ['refresh_token']);
    if (!body || fields.length > 0) {
      this.counters.failedRefreshes++;
      return this.reply(ctx, error(422, CODES.validation, 'Validation failed', fields));
    }
    const check = this.tokens.check(body.refresh_token as string, 'refresh');
    const user = check.ok ? this.users.byId(check.sub) : undefined;
    if (!check.ok || !user) {
      this.counters.failedRefreshes++;
      return this.reply(
        ctx,
        !check.ok && check.reason === 'expired'
          ? error(401, CODES.tokenExpired, 'Token has expired')
          : error(401, CODES.tokenInvalid, 'Invalid refresh token'),
      );
    }
    this.tokens.revoke(check.jti); // single use: dies as soon as the new pair exists
    this.counters.refreshes++;
    ctx.send(200, this.issuePair(user));
  }

  private issuePair(user: StoredUser) {
    return {
      access_token: this.tokens.issue('access', user.id, this.accessTtlSec),
      refresh_token: this.tokens.issue('refresh', user.id, AFFILYNC.refreshTokenLifetimeSec),
      token_type: 'bearer',
      expires_in: this.accessTtlSec,
    };
  }

  private authenticate(ctx: RequestContext): Caller {
    const credential = ctx.bearer();
    if (credential === undefined) return { ok: false, error: error(401, CODES.tokenInvalid, 'Not authenticated') };
    if (credential.startsWith(API_KEY_FAMILY)) {
      const scopes = this.apiKeys.get(credential);
      return scopes ? { ok: true, scopes } : { ok: false, error: error(401, CODES.tokenInvalid, 'Invalid API key') };
    }
    const check = this.tokens.check(credential, 'access');
    if (check.ok && this.users.byId(check.sub)) return { ok: true, scopes: 'all' };
    return {
      ok: false,
      error:
        !check.ok && check.reason === 'expired'
          ? error(401, CODES.tokenExpired, 'Token has expired')
          : error(401, CODES.tokenInvalid, 'Invalid token'),
    };
  }

  /** An error answer to a resource request (a 401 counts as rejected). */
  private fail(ctx: RequestContext, err: AffilyncError): void {
    if (err.status === 401) this.counters.rejected++;
    this.reply(ctx, err);
  }

  private reply(ctx: RequestContext, err: AffilyncError): void {
    ctx.send(err.status, err, err.status === 401 ? UNAUTHORIZED_HEADERS : {});
  }

  // --- resource routes ---

  private list(ctx: RequestContext, items: readonly object[]): void {
    const p = AFFILYNC.pagination;
    const page = intParam(ctx.url.searchParams, p.pageParam) ?? 1;
    const perPage = intParam(ctx.url.searchParams, p.perPageParam) ?? p.defaultPerPage;
    const fields: { field: string; message: string }[] = [];
    if (!(page >= 1)) fields.push({ field: p.pageParam, message: 'ensure this value is an integer greater than or equal to 1' });
    if (!(perPage >= 1 && perPage <= p.maxPerPage)) {
      fields.push({ field: p.perPageParam, message: `ensure this value is an integer from 1 to ${p.maxPerPage}` });
    }
    if (fields.length > 0) return this.fail(ctx, error(422, CODES.validation, 'Validation failed', fields));
    const start = (page - 1) * perPage;
    ctx.send(200, { data: items.slice(start, start + perPage), meta: { page, per_page: perPage, total: items.length } });
  }

  private getCampaign(ctx: RequestContext, id: string): void {
    const campaign = AFFILYNC_CAMPAIGNS.find((c) => c.id === id);
    if (!campaign) return this.fail(ctx, error(404, CODES.notFound, 'Campaign not found'));
    ctx.send(200, campaign);
  }

  private listLinks(ctx: RequestContext): void {
    const q = ctx.url.searchParams;
    const campaignId = q.get('campaign_id');
    const status = q.get('status');
    const links = AFFILYNC_LINKS.filter(
      (l) => (campaignId === null || l.campaign_id === campaignId) && (status === null || l.status === status),
    );
    this.list(ctx, links);
  }

  private async createLink(ctx: RequestContext): Promise<void> {
    const body = parseJsonObject(await ctx.text());
    if (!body) return this.fail(ctx, error(422, CODES.validation, 'Validation failed', [{ field: 'body', message: 'a JSON object is required' }]));
    const id = `lnk_${String(this.nextLink++).padStart(3, '0')}`;
    this.createdLinks.add(id);
    ctx.send(201, { ...body, id });
  }

  private async updateLink(ctx: RequestContext, id: string, merge: boolean): Promise<void> {
    const existing = this.findLink(id);
    if (!existing) return this.fail(ctx, error(404, CODES.notFound, 'Link not found'));
    const body = parseJsonObject(await ctx.text());
    if (!body) return this.fail(ctx, error(422, CODES.validation, 'Validation failed', [{ field: 'body', message: 'a JSON object is required' }]));
    ctx.send(200, merge ? { ...existing, ...body, id } : { ...body, id });
  }

  private deleteLink(ctx: RequestContext, id: string): void {
    if (!this.findLink(id)) return this.fail(ctx, error(404, CODES.notFound, 'Link not found'));
    this.createdLinks.delete(id);
    ctx.sendEmpty(204);
  }

  private findLink(id: string): object | undefined {
    return AFFILYNC_LINKS.find((l) => l.id === id) ?? (this.createdLinks.has(id) ? { id } : undefined);
  }
}

function missingStrings(body: Record<string, unknown> | undefined, names: string[]): { field: string; message: string }[] {
  return names
    .filter((n) => typeof body?.[n] !== 'string')
    .map((field) => ({ field, message: 'field required (a string)' }));
}
