import type { AffilyncErrorCode } from '../dialects/affilync.types.js';
import type { ProviderName } from '../dialects/dialect.interface.js';
import { isErrorKind, markErrorKinds } from '../error-kinds.js';

/** One entry of a validation error's `fields[]` (Affilync 422), made safe to show. */
export interface ProviderFieldError {
  /** The field's name as the provider wrote it (`campaign_id`, `links.0.campaign_id`). */
  field: string;
  /** The provider's message for it; absent when it may not be quoted (see docs/errors.md). */
  message?: string;
}

/**
 * The provider's machine code: one of Affilync's documented codes (autocompleted), or any other
 * code-shaped string (an undocumented Affilync code, a Convertly reason phrase such as `'Not Found'`).
 */
export type ProviderErrorCode = AffilyncErrorCode | (string & {});

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
  /** A validation error's field-level messages, already made safe to show. */
  fields?: readonly ProviderFieldError[];
  /** The answer came to a retry: an earlier attempt of the same call had been sent. */
  retried?: boolean;
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
  /** The provider's machine code (Affilync `error_code`, Convertly `error`), when it sent a usable one. */
  readonly code?: ProviderErrorCode;
  readonly retryable: boolean;
  /** How long the provider asked us to wait before trying again (429 or 503 with Retry-After). */
  readonly retryAfterMs?: number;
  /** Affilync 422: `fields[]`, one `{ field, message? }` per invalid field, safe to show. */
  readonly fields?: readonly ProviderFieldError[];
  /**
   * True when this answer came to a retry (the client had already sent the same call once or more,
   * after a 5xx, a dropped connection or a 429). A 409 then may mean the earlier attempt worked.
   */
  readonly retried?: boolean;

  constructor(init: ProviderApiErrorInit) {
    super(init.message);
    this.name = new.target.name;
    this.provider = init.provider;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    this.retryable = init.retryable;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.fields !== undefined) this.fields = Object.freeze(init.fields.map((f) => Object.freeze({ ...f })));
    if (init.retried) this.retried = true;
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
      fields: this.fields,
      retried: this.retried,
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
