import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { ProviderInvalidResponseError, ProviderNetworkError, ProviderTimeoutError } from './errors.js';
import type { OriginConnection } from './origin-connections.js';
import { ExchangeAborted, ResponseCollector, ResponseTooLarge, type BodyLimit } from './response-collector.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface TransportRequest {
  method: HttpMethod;
  /** Absolute path on the origin, with query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Calls to one provider origin through its shared connection (undici: the fastest Node client we
 * measured). Turns undici's failures into our error classes, never echoing headers or bodies.
 */
export class HttpTransport {
  // Built once, not per request: the hot path allocates as little as it can.
  private readonly bodyLimit: BodyLimit;
  private readonly headLimit: BodyLimit;

  constructor(
    private readonly dialect: ProviderDialect,
    private readonly origin: string,
    /** The origin's pool (shared by every account on it) or the user's dispatcher. */
    private readonly connection: OriginConnection,
    /** `http.maxResponseBytes`: the largest body read; a larger answer is dropped unread. */
    maxResponseBytes: number,
  ) {
    this.bodyLimit = { maxBytes: maxResponseBytes, bodyless: false };
    this.headLimit = { maxBytes: maxResponseBytes, bodyless: true };
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const { dispatcher, limit } = this.connection;
    const wait = limit.acquire(req.signal);
    if (wait) await wait;
    const collector = new ResponseCollector(req.timeoutMs, req.method === 'HEAD' ? this.headLimit : this.bodyLimit, req.signal);
    try {
      dispatcher.dispatch({ origin: this.origin, method: req.method, path: req.path, headers: req.headers, body: req.body }, collector);
      return await collector.done;
    } catch (err) {
      // The caller's own abort wins: rethrow its reason untouched, as fetch does.
      if (req.signal?.aborted) throw req.signal.reason;
      const where = `${req.method} ${req.path.split('?')[0]}`;
      if (err instanceof ResponseTooLarge) {
        throw new ProviderInvalidResponseError({
          provider: this.dialect.name,
          status: err.status,
          message: `${this.dialect.displayName} answered ${where} with more than ${err.limit} bytes (http.maxResponseBytes); the answer was dropped unread`,
          retryable: false,
        });
      }
      const code = (err as { code?: unknown }).code;
      if (
        (err instanceof ExchangeAborted && err.why === 'timeout') ||
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'UND_ERR_CONNECT_TIMEOUT'
      ) {
        throw new ProviderTimeoutError({
          provider: this.dialect.name,
          message: `${this.dialect.displayName} did not answer ${where} within ${req.timeoutMs} ms`,
          retryable: true,
        });
      }
      throw new ProviderNetworkError({
        provider: this.dialect.name,
        message: `${this.dialect.displayName} could not be reached for ${where}${typeof code === 'string' ? ` (${code})` : ''}`,
        retryable: true,
      });
    } finally {
      limit.release();
    }
  }
}
