/**
 * What the module reports to OpenTelemetry, as an internal seam: the clients, the token managers
 * and the guard call these methods and never import `@opentelemetry/api` themselves. Without the
 * package (or without an SDK registered at bootstrap) every method is a no-op and `enabled` is
 * false, so a hot path pays one property check: `if (telemetry.enabled) telemetry.credentialCache(true)`.
 */
export interface ProviderTelemetry {
  /** False for the no-op: callers on a hot path check it before calling anything. */
  readonly enabled: boolean;
  /** The telemetry of one provider's client (and of every account's client of that provider). */
  forClient(provider: string, origin: string): ClientTelemetry;
  /** An incoming request refused: the answer's code (`TOKEN_INVALID`, …) and the context type (`http`, `graphql`, `ws`, `rpc`). */
  refusal(code: string, transport: string): void;
  /** The incoming side's cache of verified credentials was asked: found (hit) or not (miss). */
  credentialCache(hit: boolean): void;
  /** The cache of per-account clients (forAccount) was asked: found (hit) or not (miss). */
  accountCache(provider: string, hit: boolean): void;
}

/** One provider's outgoing side: call spans, login and refresh spans, and their counters. */
export interface ClientTelemetry {
  readonly enabled: boolean;
  /**
   * Runs one outgoing call (all its attempts) in a span named `<provider> <METHOD> <template>`;
   * `path` is the caller's path, reduced to a template before anything records it.
   */
  call<T>(method: string, path: string, run: (trace: CallTrace) => Promise<T>): Promise<T>;
  /** Runs a login or a refresh in its span, a child of the active call's span if there is one. */
  tokenExchange<T>(kind: TokenExchangeKind, path: string, run: (trace: CallTrace) => Promise<T>): Promise<T>;
  /** Same as ProviderTelemetry.accountCache for this client's provider. */
  accountCache(hit: boolean): void;
}

export type TokenExchangeKind = 'login' | 'refresh';

/** Why a request was sent again: a 429, a 5xx (or a 503 with Retry-After), a dropped connection. */
export type RetryReason = 'rate_limited' | 'server_error' | 'network';

/** What happens to one call (or one login/refresh) while it runs; read when its span ends. */
export interface CallTrace {
  /** One more request went on the wire (a retry, or the replay after a 401, counts). */
  sent(): void;
  /** An answer arrived with this status. */
  answered(status: number): void;
  /** About to wait `waitMs` and send again. A wait after a 429 is a rate-limit wait; any other, a retry wait. */
  retrying(reason: RetryReason, waitMs: number): void;
  /** About to wait `waitMs` for a place in the credential's rate-limit budget, before sending. */
  waitedForBudget(waitMs: number): void;
}

/** Injection token of the module's ProviderTelemetry. Shared by every copy of the package. */
export const PROVIDER_AUTH_TELEMETRY = Symbol.for('nest-provider-auth:ProviderTelemetry');
