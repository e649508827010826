import type { ProviderDialect } from '../../dialects/dialect.interface.js';
import type { Envelope } from '../../dialects/resource-spec.js';
import { ProviderInvalidResponseError } from '../errors.js';
import { listOf } from '../paginate.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys an envelope may carry beside `data` (a list's `meta`), for answers whose envelope is not documented. */
const ENVELOPE_KEYS = new Set(['data', 'meta']);

/**
 * The resource inside an answer, whichever envelope the endpoint documents (see Envelope): a
 * single object unwrapped, a `data` array, or a list page as sent. A documented bare object that
 * arrives as nothing but `{ data: {...} }` is unwrapped too (no resource of ours is only a `data`
 * field). An answer of another shape is a ProviderInvalidResponseError carrying the 2xx status (the
 * call worked; its answer could not be read); it never quotes the body.
 */
export function unwrapAnswer(dialect: ProviderDialect, envelope: Envelope, body: unknown, call: { method: string; path: string; status?: number }): unknown {
  const invalid = (shape: string) =>
    new ProviderInvalidResponseError({
      provider: dialect.name,
      ...(call.status !== undefined ? { status: call.status } : {}),
      message: `${dialect.displayName} answered ${call.method} ${call.path}${call.status !== undefined ? ` (${call.status})` : ''} with ${shape}`,
      retryable: false,
    });
  switch (envelope) {
    case 'data':
      if (isObject(body) && isObject(body.data)) return body.data;
      throw invalid('an answer without the documented data object');
    case 'bare':
    case 'data-or-bare':
      if (isObject(body) && isObject(body.data) && Object.keys(body).every((k) => ENVELOPE_KEYS.has(k))) return body.data;
      if (isObject(body)) return body;
      throw invalid('an answer that is not an object');
    case 'data-array':
      if (isObject(body) && Array.isArray(body.data)) return body.data;
      throw invalid('an answer without the documented data array');
    case 'list':
      listOf(dialect, call.path, body);
      return body;
  }
}
