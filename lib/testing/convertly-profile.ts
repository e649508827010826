import { CONVERTLY } from '../index.js';
import { reasonPhrase } from './faults.js';
import type { Headers } from './http-io.js';
import type { ProviderProfile, RequestKind } from './provider-profile.js';
import type { WindowVerdict } from './rate-limit-windows.js';

/** Convertly under /v1: auth paths, no rate-limit headers, NestJS's `{ statusCode, message, error }` errors. */
export class ConvertlyProfile implements ProviderProfile {
  readonly provider = 'convertly' as const;
  readonly basePath = CONVERTLY.basePath;

  classify(method: string, path: string | undefined): RequestKind {
    if (method === 'POST' && path === CONVERTLY.loginPath) return 'login';
    if (method === 'POST' && path === CONVERTLY.refreshPath) return 'refresh';
    return 'resource';
  }

  /** Only a 429 says anything: `Retry-After` in whole seconds, rounded up so that it is never early. */
  rateLimitHeaders(verdict: WindowVerdict): Headers {
    return verdict.admitted ? {} : { 'retry-after': String(Math.ceil(verdict.untilResetMs / 1000)) };
  }

  errorAnswer(status: number, _kind: RequestKind, message?: string): { body: unknown; headers: Headers } {
    return { body: { statusCode: status, message: message ?? reasonPhrase(status), error: reasonPhrase(status) }, headers: {} };
  }
}
