import type { ProviderDialect, RateLimitInfo } from '../dialects/dialect.interface.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import type { ResolvedHttpOptions } from '../provider-auth.options.js';
import { callerHeaders } from './caller-headers.js';
import { Exchange, type BearerHeader } from './exchange.js';
import type { ProviderClientKit } from './client-factory.js';
import type { CredentialSource } from './credential-source.js';
import type { HttpMethod, HttpTransport, TransportResponse } from './http-transport.js';
import { ProviderNetworkError } from './errors.js';
import { paginate } from './paginate.js';
import type { CallTrace, ClientTelemetry } from '../telemetry/provider-telemetry.js';
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

/** Everything a client of one account runs on; absent when the module has no block (or no default account) for the provider. */
export interface ProviderClientCore {
  dialect: ProviderDialect;
  transport: HttpTransport;
  credentials: CredentialSource;
  basePathname: string;
  http: ResolvedHttpOptions;
  /** Paces calls on this credential through the RateLimitStore. */
  pacer: RatePacer;
  /** The Authorization header of the credential in use. */
  bearer: BearerHeader;
  /** Spans and metrics of this provider's calls (a no-op without OpenTelemetry). */
  telemetry: ClientTelemetry;
}

export type { RateLimitStatus };

/**
 * A provider's HTTP client with authentication handled: every call carries the current
 * credential, and a 401 is answered by one renewal (if the call used the current token) and one
 * replay. Calls are paced to the credential's rate limit. Resolves to the provider's body unchanged.
 */
export class ProviderClient {
  private readonly core: ProviderClientCore | undefined;

  constructor(
    /** The provider's shared parts; absent when the module's options have no block for it. */
    protected readonly kit: ProviderClientKit | undefined,
    /** Names the options block in the errors an unusable client throws. */
    protected readonly block: string,
    /** The account this client calls as: given for forAccount() clients, else the block's default account. */
    core?: ProviderClientCore,
  ) {
    this.core = core ?? kit?.defaultCore();
  }

  /** Whether the module's options configured this provider (possibly for forAccount() only). */
  get configured(): boolean {
    return this.kit !== undefined;
  }

  /** Whether this client has an account to call as: false for the injected client of a block without credentials. */
  get hasAccount(): boolean {
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
    // Without OpenTelemetry this costs one property check; with it, the call runs in its span.
    if (!core.telemetry.enabled) return this.perform<T>(core, opts, undefined);
    return core.telemetry.call(opts.method, opts.path, (trace) => this.perform<T>(core, opts, trace));
  }

  private async perform<T>(core: ProviderClientCore, opts: RequestOptions, trace: CallTrace | undefined): Promise<ProviderResponse<T>> {
    const { dialect, credentials, http } = core;
    const path = resolveRequestPath(dialect, core.basePathname, opts.path, opts.query);
    const headers = this.baseHeaders(opts);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const repeatable = isRepeatable(opts.method, opts.idempotent);

    const exchange = new Exchange(core, opts.method, path, headers, body, opts.timeoutMs ?? http.timeoutMs, opts.signal, trace, () => describe(opts));

    let renewed = false;
    // Every credential this call was sent with: an error must not quote any of them back, even
    // when the credential source has moved on to another one meanwhile.
    const sentWith: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const retriesLeft = repeatable && attempt < http.maxRetries;
      let res: TransportResponse;
      try {
        // A credential at hand (an API key, a token not yet due for renewal) needs no await.
        const used = credentials.currentNow() ?? (await credentials.current(opts.signal));
        sentWith.push(used);
        res = await exchange.send(used);
        if (res.status === 401 && !renewed) {
          // One renewal per call (only if `used` is still current) and one replay; never a loop.
          renewed = true;
          const replacement = await credentials.afterRejection(used, opts.signal);
          if (replacement !== undefined) {
            sentWith.push(replacement);
            res = await exchange.send(replacement);
          }
        }
      } catch (error) {
        // A timeout is not retried: the provider may still be working on it.
        if (error instanceof ProviderNetworkError && retriesLeft) {
          const wait = backoffMs(attempt);
          trace?.retrying('network', wait);
          await sleep(wait, opts.signal);
          continue;
        }
        throw error;
      }
      const reported = exchange.reported;
      const rateLimit: RateLimitInfo | undefined = reported && {
        limit: reported.limit,
        remaining: reported.remaining,
        ...(reported.reset !== undefined && { reset: reported.reset }),
      };
      if (res.status >= 200 && res.status < 300) {
        return { status: res.status, headers: res.headers, data: this.parseData<T>(core, res, exchange.describe), rateLimit };
      }
      // A 429, or a 503 saying when to come back: wait that long if it is short, never less; a
      // longer wait (or a call that may not be repeated) is the caller's, with retryAfterMs. An
      // answer whose code says it will not change (a plan limit) is never waited out.
      const final = isFinalAnswer(dialect, res);
      const asked = final ? undefined : askedWaitMs(dialect, res, attempt + 1, Date.now());
      if (asked !== undefined) {
        if (retriesLeft && asked <= http.maxRetryAfterMs) {
          trace?.retrying(res.status === 429 ? 'rate_limited' : 'server_error', asked);
          await sleep(asked, opts.signal);
          continue;
        }
      } else if (retriesLeft && !final && isRetryableStatus(res.status)) {
        const wait = backoffMs(attempt);
        trace?.retrying('server_error', wait);
        await sleep(wait, opts.signal);
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

  /**
   * The client of one account, made (or taken from the module's cache) by the subclasses'
   * forAccount(): validated as a forRoot block, with tokens and budget of its own.
   */
  protected accountClient<C extends ProviderClient>(credentials: unknown, make: (core: ProviderClientCore) => C): C {
    return this.requireKit().account(credentials, make);
  }

  private requireKit(): ProviderClientKit {
    if (!this.kit) {
      throw new ProviderAuthConfigError([
        {
          path: this.block,
          problem: `is not configured, so ${this.constructor.name} cannot be used; add a '${this.block}' block to ProviderAuthModule.forRoot()`,
        },
      ]);
    }
    return this.kit;
  }

  private requireCore(): ProviderClientCore {
    if (this.core) return this.core;
    this.requireKit();
    throw new ProviderAuthConfigError([
      {
        path: this.block,
        problem: `has no default account (no apiKey, or email and password), so calls need one: ${this.block}.forAccount({ … }).get(…)`,
      },
    ]);
  }

  private baseHeaders(opts: CallOptions): Record<string, string> {
    return { accept: 'application/json', ...callerHeaders(opts.headers) };
  }

  /**
   * Both providers are JSON APIs and we ask for JSON: a body that does not parse (a proxy's HTML
   * page, a truncated answer) is an error, never handed on as if it were data. 204 and empty
   * bodies are undefined.
   */
  private parseData<T>(core: ProviderClientCore, res: TransportResponse, what: () => string): T {
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
