import type { OnApplicationShutdown } from '@nestjs/common';
import type { ProviderDialect, RateLimitInfo } from '../dialects/dialect.interface.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import type { CredentialSource } from './credential-source.js';
import type { HttpMethod, HttpTransport, TransportResponse } from './http-transport.js';
import { resolveRequestPath, type Query } from './request-path.js';
import { errorFromResponse, parseJsonBody } from './response-errors.js';

/** Per-call options. */
export interface CallOptions {
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per-attempt timeout; defaults to the module's `http.timeoutMs`. */
  timeoutMs?: number;
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
  timeoutMs: number;
}

// The client owns these headers; a caller's copy would leak or confuse the credential.
const RESERVED_HEADERS = new Set(['authorization', 'host', 'content-length', 'connection', 'transfer-encoding']);

/**
 * A provider's HTTP client with authentication handled: every call carries the current
 * credential, and a 401 is answered by one renewal (if the call used the current token) and one
 * replay. Resolves to the provider's body unchanged.
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

  /** The full answer: status, headers, parsed body and (Affilync) the rate-limit headers. */
  async request<T = unknown>(opts: RequestOptions): Promise<ProviderResponse<T>> {
    const core = this.requireCore();
    const { dialect, credentials } = core;
    const path = resolveRequestPath(dialect, core.basePathname, opts.path, opts.query);
    const what = `${opts.method} ${opts.path.split('?')[0]}`;
    const headers = this.baseHeaders(opts);
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = 'application/json';

    const send = (credential: string) =>
      core.transport.send({
        method: opts.method,
        path,
        headers: { ...headers, authorization: `Bearer ${credential}` },
        body,
        timeoutMs: opts.timeoutMs ?? core.timeoutMs,
        signal: opts.signal,
      });

    const used = await credentials.current(opts.signal);
    let res = await send(used);
    if (res.status === 401) {
      // One renewal (only if `used` is still current) and one replay; never a loop.
      const replacement = await credentials.afterRejection(used, opts.signal);
      if (replacement !== undefined) res = await send(replacement);
    }
    if (res.status < 200 || res.status >= 300) {
      throw errorFromResponse(dialect, res, what, credentials.secrets());
    }
    return {
      status: res.status,
      headers: res.headers,
      data: this.parseData<T>(core, res, what),
      rateLimit: dialect.parseRateLimit(res.headers, Date.now()),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.core?.transport.close();
  }

  private requireCore(): ProviderClientCore {
    if (!this.core) {
      throw new ProviderAuthConfigError([
        { path: this.block, problem: `is not configured, so ${this.constructor.name} cannot be used; add a '${this.block}' block to ProviderAuthModule.forRoot()` },
      ]);
    }
    return this.core;
  }

  private baseHeaders(opts: CallOptions): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(opts.headers ?? {})) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) {
        throw new TypeError(`Header '${name}' is set by the client and cannot be given per call`);
      }
      headers[name.toLowerCase()] = value;
    }
    return headers;
  }

  /** JSON bodies parsed; 204 and empty bodies are undefined; other content types stay text. */
  private parseData<T>(core: ProviderClientCore, res: TransportResponse, what: string): T {
    if (res.status === 204 || res.text.length === 0) return undefined as T;
    const type = res.headers['content-type'];
    const contentType = (Array.isArray(type) ? type[0] : type) ?? '';
    if (/json/i.test(contentType) || contentType === '') return parseJsonBody(core.dialect, res, what) as T;
    return res.text as T;
  }
}

