/** The instrumentation scope: `trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)`. */
export const INSTRUMENTATION_NAME = 'nest-provider-auth';
/** The package's version (a test keeps it equal to package.json's). */
export const INSTRUMENTATION_VERSION = '0.1.0';

/** Metric names (docs/telemetry.md describes each). */
export const METRICS = {
  logins: 'nest_provider_auth.token.logins',
  refreshes: 'nest_provider_auth.token.refreshes',
  retries: 'nest_provider_auth.client.retries',
  rateLimited: 'nest_provider_auth.client.rate_limited',
  rateLimitWait: 'nest_provider_auth.client.rate_limit_wait',
  refusals: 'nest_provider_auth.incoming.refusals',
  credentialCache: 'nest_provider_auth.incoming.credential_cache.lookups',
  accountCache: 'nest_provider_auth.accounts_cache.lookups',
} as const;

/** Attribute keys of our own (the rest are OpenTelemetry's HTTP semantic conventions). */
export const ATTR = {
  provider: 'nest_provider_auth.provider',
  outcome: 'nest_provider_auth.outcome',
  reason: 'nest_provider_auth.reason',
  code: 'nest_provider_auth.code',
  transport: 'nest_provider_auth.transport',
  result: 'nest_provider_auth.result',
  attempts: 'nest_provider_auth.attempts',
  retryWaitMs: 'nest_provider_auth.retry_wait_ms',
  rateLimitWaitMs: 'nest_provider_auth.rate_limit_wait_ms',
  method: 'http.request.method',
  urlTemplate: 'url.template',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  statusCode: 'http.response.status_code',
  resendCount: 'http.request.resend_count',
  errorType: 'error.type',
} as const;
