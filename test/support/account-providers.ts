import { randomBytes } from 'node:crypto';
import { FakeServer, type FakeAnswer, type FakeRequest } from './fake-server.js';
import { secretAudit } from './secret-audit.js';

/**
 * Stand-ins for Affilync and Convertly with many accounts, written from their authentication pages
 * (not from our dialects): each account logs in, renews and calls on its own, and `GET /whoami`
 * answers which account the credential belongs to, so a test sees any call made with another
 * account's credential. Counts logins and renewals per account.
 */
export interface FakeAccount {
  /** Who the provider says the caller is. */
  readonly id: string;
  readonly email: string;
  readonly password: string;
  /** Affilync only: the account's API key. */
  readonly apiKey: string;
}

export interface AccountCounts {
  logins: number;
  refreshes: number;
  calls: number;
}

const rand = (prefix = '') => prefix + randomBytes(12).toString('hex');
const bearer = (req: FakeRequest) => /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];

/** `n` accounts with distinct logins and keys, their secrets registered with the audit. */
export function fakeAccounts(n: number, tag: string): FakeAccount[] {
  return Array.from({ length: n }, (_, i) => {
    const account = { id: `${tag}_${i}`, email: `brand${i}@${tag}.example`, password: rand('pw-'), apiKey: rand('afk_live_') };
    secretAudit.registerSecret(account.password, account.apiKey);
    return account;
  });
}

abstract class AccountsProvider {
  readonly counts = new Map<string, AccountCounts>();
  /** Live access tokens: token → account id and expiry (epoch ms). */
  protected readonly live = new Map<string, { id: string; exp: number }>();
  protected readonly byEmail: Map<string, FakeAccount>;
  protected readonly byKey: Map<string, FakeAccount>;

  protected constructor(
    readonly server: FakeServer,
    accounts: readonly FakeAccount[],
    readonly ttlSec: number,
  ) {
    this.byEmail = new Map(accounts.map((a) => [a.email, a]));
    this.byKey = new Map(accounts.map((a) => [a.apiKey, a]));
    for (const a of accounts) this.counts.set(a.id, { logins: 0, refreshes: 0, calls: 0 });
  }

  /** Sum of a count over every account. */
  total(what: keyof AccountCounts): number {
    let sum = 0;
    for (const c of this.counts.values()) sum += c[what];
    return sum;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  protected issue(id: string): string {
    const token = this.tokenFor(id);
    this.live.set(token, { id, exp: Date.now() + this.ttlSec * 1000 });
    secretAudit.registerSecret(token);
    return token;
  }

  protected abstract tokenFor(id: string): string;

  protected login(req: FakeRequest): FakeAccount | undefined {
    const b = JSON.parse(req.body || '{}') as { email?: string; password?: string };
    const account = b.email === undefined ? undefined : this.byEmail.get(b.email);
    if (!account || account.password !== b.password) return undefined;
    this.counts.get(account.id)!.logins++;
    return account;
  }

  /** The account a resource call's credential belongs to, if it is live. */
  protected caller(req: FakeRequest): string | undefined {
    const credential = bearer(req);
    if (credential === undefined) return undefined;
    const key = this.byKey.get(credential);
    if (key) return key.id;
    const token = this.live.get(credential);
    return token && token.exp > Date.now() ? token.id : undefined;
  }

  protected whoami(req: FakeRequest, unauthorized: () => FakeAnswer): FakeAnswer {
    const id = this.caller(req);
    if (id === undefined) return unauthorized();
    this.counts.get(id)!.calls++;
    return { json: { account: id } };
  }
}

/** Affilync: API keys, or login with rotating refresh tokens (`expires_in`). */
export class AccountsAffilync extends AccountsProvider {
  private readonly refreshTokens = new Map<string, string>(); // refresh token → account id

  static async start(accounts: readonly FakeAccount[], ttlSec: number): Promise<AccountsAffilync> {
    const holder: { fake?: AccountsAffilync } = {};
    const server = await FakeServer.start((req) => holder.fake!.answer(req));
    return (holder.fake = new AccountsAffilync(server, accounts, ttlSec));
  }

  get baseUrl(): string {
    return `${this.server.origin}/api`;
  }

  protected tokenFor(): string {
    return rand('aff_at_');
  }

  private pair(id: string) {
    const refresh = rand('aff_rt_');
    this.refreshTokens.set(refresh, id);
    secretAudit.registerSecret(refresh);
    return { access_token: this.issue(id), refresh_token: refresh, token_type: 'bearer', expires_in: this.ttlSec };
  }

  private refused(detail: string): FakeAnswer {
    return { status: 401, json: { detail, error_code: 'TOKEN_INVALID', status: 401 } };
  }

  private answer(req: FakeRequest): FakeAnswer {
    if (req.method === 'POST' && req.path === '/api/auth/login') {
      const account = this.login(req);
      return account ? { json: this.pair(account.id) } : this.refused('Invalid email or password');
    }
    if (req.method === 'POST' && req.path === '/api/auth/refresh') {
      const token = (JSON.parse(req.body || '{}') as { refresh_token?: string }).refresh_token ?? '';
      const id = this.refreshTokens.get(token);
      if (id === undefined) return this.refused('Refresh token is invalid or revoked');
      this.refreshTokens.delete(token); // rotation: each refresh token works once
      this.counts.get(id)!.refreshes++;
      return { json: this.pair(id) };
    }
    if (req.method === 'GET' && req.path === '/api/whoami') return this.whoami(req, () => this.refused('Invalid token'));
    return { status: 404, json: { detail: 'Not found', error_code: 'RESOURCE_NOT_FOUND', status: 404 } };
  }
}

/** Convertly: login, refresh with the live token (which dies), JWT-shaped tokens carrying `exp`. */
export class AccountsConvertly extends AccountsProvider {
  static async start(accounts: readonly FakeAccount[], ttlSec: number): Promise<AccountsConvertly> {
    const holder: { fake?: AccountsConvertly } = {};
    const server = await FakeServer.start((req) => holder.fake!.answer(req));
    return (holder.fake = new AccountsConvertly(server, accounts, ttlSec));
  }

  get baseUrl(): string {
    return `${this.server.origin}/v1`;
  }

  protected tokenFor(id: string): string {
    const iat = Math.floor(Date.now() / 1000);
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: id, iat, exp: iat + this.ttlSec, jti: rand() })}.${randomBytes(16).toString('base64url')}`;
  }

  private refused(message: string): FakeAnswer {
    return { status: 401, json: { statusCode: 401, message, error: 'Unauthorized' } };
  }

  private answer(req: FakeRequest): FakeAnswer {
    if (req.method === 'POST' && req.path === '/v1/auth/brand/login') {
      const account = this.login(req);
      if (!account) return this.refused('Invalid credentials');
      return { status: 201, json: { data: { accessToken: this.issue(account.id), user: { id: account.id, email: account.email } } } };
    }
    if (req.method === 'POST' && req.path === '/v1/auth/refresh') {
      const credential = bearer(req) ?? '';
      const id = this.caller(req);
      if (id === undefined) return this.refused('Invalid token');
      this.live.delete(credential); // "The old token is invalidated."
      this.counts.get(id)!.refreshes++;
      return { status: 201, json: { data: { accessToken: this.issue(id) } } };
    }
    if (req.method === 'GET' && req.path === '/v1/whoami') return this.whoami(req, () => this.refused('Unauthorized'));
    return { status: 404, json: { statusCode: 404, message: 'Not Found', error: 'Not Found' } };
  }
}
