import { ProviderApiError } from '../client/errors.js';

/** What a health result may say about a failure: never a message, only names and numbers. */
export interface ShownError {
  /** The error's class name (`ProviderAuthError`, `RedisUnavailableError`, `TimeoutError`). */
  error: string;
  /** The provider's HTTP status, when an answer arrived. */
  httpStatus?: number;
  /** The provider's machine code (`TOKEN_INVALID`, `Unauthorized`), when it is shaped like one. */
  code?: string;
}

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
// Affilync's codes (`TOKEN_INVALID`) and Convertly's reason phrases (`Too Many Requests`); nothing
// long or odd enough to be a token is ever quoted, however the error was built.
const CODE = /^[A-Za-z][A-Za-z0-9_ '-]{0,39}$/;

/**
 * An error reduced to what a health endpoint may show. Errors of this package are already scrubbed
 * of secrets, but their messages quote the provider's words: those stay out, and so does every
 * message of an error from elsewhere.
 */
export function shownError(error: unknown): ShownError {
  const name = error instanceof Error || isDomException(error) ? (error as { name?: unknown }).name : undefined;
  const shown: ShownError = { error: typeof name === 'string' && NAME.test(name) ? name : 'Error' };
  if (error instanceof ProviderApiError) {
    if (typeof error.status === 'number' && Number.isInteger(error.status)) shown.httpStatus = error.status;
    if (typeof error.code === 'string' && CODE.test(error.code)) shown.code = error.code;
  }
  return shown;
}

function isDomException(value: unknown): boolean {
  return typeof DOMException === 'function' && value instanceof DOMException;
}
