import type { ProviderName } from '../dialects/dialect.interface.js';
import { isErrorKind, markErrorKinds } from '../error-kinds.js';

export interface ProviderApiErrorInit {
  provider: ProviderName;
  /** Only when an HTTP answer arrived. */
  status?: number;
  /** The provider's machine code (Affilync `error_code`, Convertly `error`), when it sent one. */
  code?: string;
  message: string;
  /** Whether the same call may succeed if tried again later. */
  retryable: boolean;
  /** How long the provider asked us to wait (a 429's or a 503's Retry-After), when it said so usably. */
  retryAfterMs?: number;
}

/**
 * A call to a provider failed. Deliberately not an HttpException: a provider's 401 must never
 * become the app's own 401 by accident. Messages and properties never hold a secret.
 * `instanceof` works across the ESM and CommonJS builds (see error-kinds.ts), for every subclass.
 */
export class ProviderApiError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isErrorKind(this, value);
  }

  readonly provider: ProviderName;
  readonly status?: number;
  readonly code?: string;
  readonly retryable: boolean;
  /** How long the provider asked us to wait before trying again (429 or 503 with Retry-After). */
  readonly retryAfterMs?: number;

  constructor(init: ProviderApiErrorInit) {
    super(init.message);
    this.name = new.target.name;
    this.provider = init.provider;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    this.retryable = init.retryable;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    markErrorKinds(this);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      provider: this.provider,
      status: this.status,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** 401 after the one renewal and replay, a revoked API key, or credentials the provider refused. */
export class ProviderAuthError extends ProviderApiError {}

/** 403: the credential is valid but lacks a scope, a role or the plan (Convertly Starter has no API). */
export class ProviderForbiddenError extends ProviderApiError {}

/** 429 that was not (or could not be) waited out; `retryAfterMs` when the provider said how long. */
export class ProviderRateLimitError extends ProviderApiError {
  constructor(init: Omit<ProviderApiErrorInit, 'retryable'>) {
    super({ ...init, retryable: true });
  }
}

/** No answer within the per-attempt timeout. */
export class ProviderTimeoutError extends ProviderApiError {}

/** The connection failed (refused, reset, DNS) before an answer arrived. */
export class ProviderNetworkError extends ProviderApiError {}

/** An answer arrived but could not be used (not JSON, missing token, absurd lifetime). */
export class ProviderInvalidResponseError extends ProviderApiError {}

/** The TokenStore threw: the credential could not be read or saved. */
export class TokenStoreUnavailableError extends ProviderApiError {}
