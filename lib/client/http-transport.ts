import { Pool } from 'undici';
import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { ProviderNetworkError, ProviderTimeoutError } from './errors.js';

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

  constructor(
    private readonly dialect: ProviderDialect,
    origin: string,
  ) {
    this.pool = new Pool(origin, { connections: CONNECTIONS_PER_ORIGIN });
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const res = await this.pool.request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body,
        signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      // The caller's own abort wins: rethrow its reason untouched, as fetch does.
      if (req.signal?.aborted) throw req.signal.reason;
      const where = `${req.method} ${req.path.split('?')[0]}`;
      if (timeout.aborted) {
        throw new ProviderTimeoutError({
          provider: this.dialect.name,
          message: `${this.dialect.displayName} did not answer ${where} within ${req.timeoutMs} ms`,
          retryable: true,
        });
      }
      const code = (err as { code?: unknown }).code;
      throw new ProviderNetworkError({
        provider: this.dialect.name,
        message: `${this.dialect.displayName} could not be reached for ${where}${typeof code === 'string' ? ` (${code})` : ''}`,
        retryable: true,
      });
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
