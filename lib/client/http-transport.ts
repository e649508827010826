import { Pool } from 'undici';
import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { ProviderInvalidResponseError, ProviderNetworkError, ProviderTimeoutError } from './errors.js';
import { InflightLimit } from './inflight-limit.js';
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

/** Sockets kept open per provider origin; enough for bursts without opening thousands. */
const CONNECTIONS_PER_ORIGIN = 64;

/**
 * One keep-alive connection pool to one provider origin (undici: the fastest Node client we
 * measured). Turns undici's failures into our error classes, never echoing headers or bodies.
 */
export class HttpTransport {
  private readonly pool: Pool;
  private readonly limit = new InflightLimit(CONNECTIONS_PER_ORIGIN);
  // Built once, not per request: the hot path allocates as little as it can.
  private readonly bodyLimit: BodyLimit;
  private readonly headLimit: BodyLimit;

  constructor(
    private readonly dialect: ProviderDialect,
    private readonly origin: string,
    /** `http.maxResponseBytes`: the largest body read; a larger answer is dropped unread. */
    maxResponseBytes: number,
  ) {
    this.pool = new Pool(origin, { connections: CONNECTIONS_PER_ORIGIN });
    this.bodyLimit = { maxBytes: maxResponseBytes, bodyless: false };
    this.headLimit = { maxBytes: maxResponseBytes, bodyless: true };
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const wait = this.limit.acquire(req.signal);
    if (wait) await wait;
    const collector = new ResponseCollector(req.timeoutMs, req.method === 'HEAD' ? this.headLimit : this.bodyLimit, req.signal);
    try {
      this.pool.dispatch({ origin: this.origin, method: req.method, path: req.path, headers: req.headers, body: req.body }, collector);
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
      this.limit.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
