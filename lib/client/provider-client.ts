import type { OnApplicationShutdown } from '@nestjs/common';
import type { ProviderDialect, RateLimitInfo } from '../dialects/dialect.interface.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import type { HttpOptions } from '../provider-auth.options.js';
import { callerHeaders } from './caller-headers.js';
import type { CredentialSource } from './credential-source.js';
import type { HttpMethod, HttpTransport, TransportResponse } from './http-transport.js';
import { ProviderNetworkError } from './errors.js';
import { paginate } from './paginate.js';
import type { RateLimitStatus } from './rate-limit-store.interface.js';
import type { RatePacer } from './rate-pacer.js';
import { resolveRequestPath, type Query } from './request-path.js';
import { errorFromResponse, isFinalAnswer, parseJsonBody } from './response-errors.js';
import { askedWaitMs, backoffMs, isRepeatable, isRetryableStatus, sleep } from './retry-policy.js';

/** Per-call options. */
export interface CallOptions {
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per-attempt timeout; defaults to the module's `http.timeoutMs`. */
  timeoutMs?: number;
  /**
   * Whether the call may be sent more than once (retries after a 5xx, a network error or a 429).
   * Default: true for GET, HEAD, PUT, DELETE, OPTIONS; false for POST and PATCH.
   */
  idempotent?: boolean;
  /**
   * Values this call carries (in its body, say) that no error may ever quote, in any encoding: a
   * webhook signing secret, for one. The client's own credentials are always kept out.
   */
  redact?: readonly string[];
}

export interface RequestOptions extends CallOptions {
  method: HttpMethod;
  path: string;
  body?: unknown;
}

export interface ProviderResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: T;
  rateLimit?: RateLimitInfo;
}

/** Everything a configured client runs on; absent when the module has no block for the provider. */
export interface ProviderClientCore {
  dialect: ProviderDialect;
  transport: HttpTransport;
  credentials: CredentialSource;
  basePathname: string;
  http: Required<HttpOptions>;
  /** Paces calls on this credential through the RateLimitStore. */
  pacer: RatePacer;
}

export type { RateLimitStatus };

/**
 * A provider's HTTP client with authentication handled: every call carries the current
 * credential, and a 401 is answered by one renewal (if the call used the current token) and one
 * replay. Calls are paced to the credential's rate limit. Resolves to the provider's body unchanged.
 */
export class ProviderClient implements OnApplicationShutdown {
  constructor(
    private readonly core: ProviderClientCore | undefined,
    /** Names the missing options block in the error an unconfigured client throws. */
    private readonly block: string,
  ) {}

  /** Whether the module's options configured this provider. */
  get configured(): boolean {
    return this.core !== undefined;
  }

  /**
   * The budget of this client's credential as last known, for dashboards: `{ limit, remaining,
   * resetAt }` (epoch ms). Affilync: as its latest answer reported it (X-RateLimit-*), or as the
   * shared RateLimitStore counted it since. Convertly with a `plan`: the plan's budget as the store
   * counts it. Undefined before anything is known, and for Convertly without a plan.
   */
  rateLimitStatus(): RateLimitStatus | undefined {
    return this.requireCore().pacer.status();
  }

  get<T = unknown>(path: string, opts?: CallOptions): Promise<T> {
    return this.request<T>({ ...opts, method: 'GET', path }).then((r) => r.data);
  }

  post<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<T> {
    return this.request<T>({ ...opts, method: 'POST', path, body }).then((r) => r.data);
  }

  put<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<T> {
    return this.request<T>({ ...opts, method: 'PUT', path, body }).then((r) => r.data);
  }

  patch<T = unknown>(path: string, body?: unknown, opts?: CallOptions): Promise<T> {
    return this.request<T>({ ...opts, method: 'PATCH', path, body }).then((r) => r.data);
  }

  delete<T = unknown>(path: string, opts?: CallOptions): Promise<T> {
    return this.request<T>({ ...opts, method: 'DELETE', path }).then((r) => r.data);
  }

  /**
   * Every item of a paginated list, fetching pages as the loop asks for them.
   *
   * @example
   * for await (const link of affilync.paginate<Link>('/links', { status: 'active' })) { … }
   */
  paginate<T = unknown>(path: string, query: Query = {}, opts: Omit<CallOptions, 'query'> = {}): AsyncGenerator<T> {
    const core = this.requireCore();
    return paginate<T>(core.dialect, path, query, (pageQuery) => this.get(path, { ...opts, query: pageQuery }));
  }

  /** The full answer: status, headers, parsed body and (Affilync) the rate-limit headers. */
  async request<T = unknown>(opts: RequestOptions): Promise<ProviderResponse<T>> {
    const core = this.requireCore();
    const { dialect, credentials, http } = core;
    const path = resolveRequestPath(dialect, core.basePathname, opts.path, opts.query);
    const headers = this.baseHeaders(opts);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const repeatable = isRepeatable(opts.method, opts.idempotent);

    const timeoutMs = opts.timeoutMs ?? http.timeoutMs;
    // A wait for budget longer than the call would wait for an answer, or than the module lets a
    // Retry-After be waited out, is not begun.
    const waitBounds = { budgetMs: Math.min(timeoutMs, http.maxRetryAfterMs), answerMs: timeoutMs };
    const send = async (credential: string): Promise<TransportResponse> => {
      const ticket = await core.pacer.acquire(waitBounds, opts.signal, describe(opts));
      let res: TransportResponse | undefined;
      try {
        res = await core.transport.send({
          method: opts.method,
          path,
          headers: { ...headers, authorization: `Bearer ${credential}` },
          body,
          timeoutMs,
          signal: opts.signal,
        });
        return res;
      } finally {
        await core.pacer.report(ticket, res);
      }
    };

    let renewed = false;
    // Every credential this call was sent with: an error must not quote any of them back, even
    // when the credential source has moved on to another one meanwhile.
    const sentWith: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const retriesLeft = repeatable && attempt < http.maxRetries;
      let res: TransportResponse;
      try {
        const used = await credentials.current(opts.signal);
        sentWith.push(used);
        res = await send(used);
        if (res.status === 401 && !renewed) {
          // One renewal per call (only if `used` is still current) and one replay; never a loop.
          renewed = true;
          const replacement = await credentials.afterRejection(used, opts.signal);
          if (replacement !== undefined) {
            sentWith.push(replacement);
            res = await send(replacement);
          }
        }
      } catch (error) {
        // A timeout is not retried: the provider may still be working on it.
        if (error instanceof ProviderNetworkError && retriesLeft) {
          await sleep(backoffMs(attempt), opts.signal);
          continue;
        }
        throw error;
      }
      const reported = dialect.parseRateLimit(res.headers, Date.now());
      const rateLimit: RateLimitInfo | undefined = reported && {
        limit: reported.limit,
        remaining: reported.remaining,
        ...(reported.reset !== undefined && { reset: reported.reset }),
      };
      if (res.status >= 200 && res.status < 300) {
        return { status: res.status, headers: res.headers, data: this.parseData<T>(core, res, describe(opts)), rateLimit };
      }
      // A 429, or a 503 saying when to come back: wait that long if it is short, never less; a
      // longer wait (or a call that may not be repeated) is the caller's, with retryAfterMs. An
      // answer whose code says it will not change (a plan limit) is never waited out.
      const final = isFinalAnswer(dialect, res);
      const asked = final ? undefined : askedWaitMs(dialect, res, attempt + 1, Date.now());
      if (asked !== undefined) {
        if (retriesLeft && asked <= http.maxRetryAfterMs) {
          await sleep(asked, opts.signal);
          continue;
        }
      } else if (retriesLeft && !final && isRetryableStatus(res.status)) {
        await sleep(backoffMs(attempt), opts.signal);
        continue;
      }
      // `attempt` counts the retries sent before this answer (a replay after a 401 is not one: the
      // provider refused that attempt without acting on it).
      throw errorFromResponse(
        dialect,
        res,
        describe(opts),
        { secrets: [...credentials.secrets(), ...sentWith, ...(opts.redact ?? [])], sentNames: namesIn(opts.query, opts.body) },
        { retried: attempt > 0 },
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.core?.transport.close();
  }

  private requireCore(): ProviderClientCore {
    if (!this.core) {
      throw new ProviderAuthConfigError([
        {
          path: this.block,
          problem: `is not configured, so ${this.constructor.name} cannot be used; add a '${this.block}' block to ProviderAuthModule.forRoot()`,
        },
      ]);
    }
    return this.core;
  }

  private baseHeaders(opts: CallOptions): Record<string, string> {
    return { accept: 'application/json', ...callerHeaders(opts.headers) };
  }

  /**
   * Both providers are JSON APIs and we ask for JSON: a body that does not parse (a proxy's HTML
   * page, a truncated answer) is an error, never handed on as if it were data. 204 and empty
   * bodies are undefined.
   */
  private parseData<T>(core: ProviderClientCore, res: TransportResponse, what: string): T {
    if (res.status === 204) return undefined as T;
    return parseJsonBody(core.dialect, res, what) as T;
  }
}

/** Every query parameter name and body key (at any depth) of a request: the field names it carried. */
function namesIn(query: Query | undefined, body: unknown): Set<string> {
  const names = new Set(Object.keys(query ?? {}));
  const walk = (value: unknown, depth: number): void => {
    if (depth > 8 || typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      if (!Array.isArray(value)) names.add(key);
      walk(inner, depth + 1);
    }
  };
  walk(body, 0);
  return names;
}

/** `GET /campaigns`: how errors name a call (built only when needed). */
function describe(opts: RequestOptions): string {
  return `${opts.method} ${opts.path.split('?')[0]}`;
}
