import type { EmulatedProvider } from './emulator-types.js';
import type { Headers } from './http-io.js';
import type { WindowVerdict } from './rate-limit-windows.js';

export type RequestKind = 'login' | 'refresh' | 'resource';

/** A field-level validation problem, as Affilync lists them in `fields`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * What the request pipeline and the error filter need to know about one provider, apart from its
 * routes (which are Nest controllers): which requests are auth requests, the headers every
 * resource answer carries, and how its error answers look.
 */
export interface ProviderProfile {
  readonly provider: EmulatedProvider;
  /** '/api' or '/v1': the Nest app's global prefix. */
  readonly basePath: string;
  /** Only a POST to an auth path is an auth request. `path` is relative to basePath. */
  classify(method: string, path: string | undefined): RequestKind;
  /**
   * With the `rateLimits` option on: the headers of an answer to a request its credential's window
   * counted (`admitted`) or refused with 429. Without it, no answer reports a budget: none is enforced,
   * and a client that paces from the headers must not be held back by one that does not exist.
   */
  rateLimitHeaders(verdict: WindowVerdict): Headers;
  /**
   * The provider's own error answer for a status: for status-only faults, the emulator's own
   * refusals (bad login, validation, 404) and crashes. `message` defaults to the status' usual text.
   */
  errorAnswer(status: number, kind: RequestKind, message?: string, fields?: FieldProblem[]): { body: unknown; headers: Headers };
}
