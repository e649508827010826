import { AFFILYNC } from '../index.js';
import { reasonPhrase } from './faults.js';
import type { Headers } from './http-io.js';
import type { FieldProblem, ProviderProfile, RequestKind } from './provider-profile.js';
import type { WindowVerdict } from './rate-limit-windows.js';

const CODES = AFFILYNC.errorCodes;

/**
 * Codes and texts of the statuses docs.affilync.com/api/errors names. Its 400 ("malformed JSON or
 * invalid parameters") has no documented code: INVALID_REQUEST, as the library answers its own 400s.
 */
const KNOWN: Record<number, [code: string, detail: string]> = {
  400: ['INVALID_REQUEST', 'Malformed JSON or invalid parameters'],
  401: [CODES.tokenInvalid, 'Invalid token'],
  403: [CODES.insufficientScope, 'API key lacks the required scope'],
  404: [CODES.notFound, 'Resource not found'],
  409: ['DUPLICATE_RESOURCE', 'Resource already exists'],
  422: [CODES.validation, 'Validation failed'],
  429: [CODES.rateLimited, 'Rate limit exceeded'],
};

/** Affilync under /api: auth paths, X-RateLimit-* on every resource answer, `{ detail, error_code, status }` errors. */
export class AffilyncProfile implements ProviderProfile {
  readonly provider = 'affilync' as const;
  readonly basePath = AFFILYNC.basePath;

  classify(method: string, path: string | undefined): RequestKind {
    if (method === 'POST' && path === AFFILYNC.loginPath) return 'login';
    if (method === 'POST' && path === AFFILYNC.refreshPath) return 'refresh';
    return 'resource';
  }

  /**
   * The credential's own window, on every answer it counted and on its 429s (which carry no
   * Retry-After: the docs show none, so a client must go by the reset). The reset is the window's
   * end in epoch seconds rounded up, so a client that waits until then is never early.
   */
  rateLimitHeaders(verdict: WindowVerdict): Headers {
    const h = AFFILYNC.rateLimitHeaders;
    return { [h.limit]: String(verdict.limit), [h.remaining]: String(verdict.remaining), [h.reset]: String(Math.ceil(verdict.resetAtMs / 1000)) };
  }

  errorAnswer(status: number, kind: RequestKind, message?: string, fields?: FieldProblem[]): { body: unknown; headers: Headers } {
    // No code is documented for other statuses (5xx included): one is made from the reason phrase.
    const phrase = reasonPhrase(status);
    const [code, detail] = KNOWN[status] ?? [phrase.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), phrase];
    const body = { detail: message ?? detail, error_code: code, status, ...(fields && { fields }) };
    const headers: Headers = status === 401 ? { 'www-authenticate': `Bearer realm="${this.provider}"` } : {};
    if (status === 429 && kind === 'resource') headers[AFFILYNC.rateLimitHeaders.remaining] = '0';
    return { body, headers };
  }
}
