import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the server writes X-RateLimit-Reset: epoch seconds rounded up or down, epoch ms, seconds to wait, or not at all. */
export type ResetUnit = 'epoch-s' | 'epoch-s-floor' | 'epoch-ms' | 'delta-s' | 'none';

export interface RateLimitedProviderOptions {
  /** 'affilync': X-RateLimit-* on every answer, 429 RATE_LIMIT_EXCEEDED without Retry-After. 'convertly': no headers, 429 with Retry-After. */
  style: 'affilync' | 'convertly';
  limit: number;
  windowMs: number;
  resetUnit?: ResetUnit;
  /** How long each answer takes (default 0). */
  latencyMs?: number;
}

/**
 * A provider of its own, independent of the emulator: a fixed window per bearer credential that
 * starts at the credential's first request, enforced; every request and every 429 recorded. Convertly
 * logins (POST /v1/auth/brand/login) are answered and not counted.
 */
export class RateLimitedProvider {
  /** Arrival times of the requests each credential got through (not the 429s). */
  readonly accepted: number[] = [];
  readonly refused: number[] = [];
  private readonly windows = new Map<string, { end: number; used: number }>();
  private readonly sockets = new Set<Socket>();
  private logins = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: RateLimitedProviderOptions,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(options: RateLimitedProviderOptions): Promise<RateLimitedProvider> {
    const server = createServer();
    const provider = new RateLimitedProvider(server, options);
    server.on('request', (req, res) => {
      req.resume();
      req.on('end', () => {
        const answer = provider.answer(req.method ?? 'GET', req.url ?? '/', req.headers.authorization ?? '');
        const send = () => {
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(JSON.stringify(answer.body));
        };
        if (options.latencyMs) setTimeout(send, options.latencyMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return provider;
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.options.style === 'affilync' ? '/api' : '/v1'}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(method: string, url: string, authorization: string): { status: number; headers: Record<string, string>; body: unknown } {
    const { style, limit, windowMs } = this.options;
    if (style === 'convertly' && method === 'POST' && url.startsWith('/v1/auth/brand/login')) {
      // A token of its own per login: each login's calls are counted apart.
      return { status: 200, headers: {}, body: { data: { accessToken: `x.e30.login-${++this.logins}` } } };
    }
    const now = Date.now();
    let window = this.windows.get(authorization);
    if (!window || now >= window.end) this.windows.set(authorization, (window = { end: now + windowMs, used: 0 }));
    const allowed = window.used < limit;
    if (allowed) window.used++;
    (allowed ? this.accepted : this.refused).push(now);
    if (style === 'convertly') {
      return allowed
        ? { status: 200, headers: {}, body: { data: [], meta: { total: 0, cursor: null } } }
        : {
            status: 429,
            headers: { 'retry-after': String(Math.ceil((window.end - now) / 1000)) },
            body: { statusCode: 429, message: 'Too Many Requests', error: 'Too Many Requests' },
          };
    }
    const headers: Record<string, string> = { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(limit - window.used) };
    const reset = this.reset(window.end, now);
    if (reset !== undefined) headers['x-ratelimit-reset'] = reset;
    return allowed
      ? { status: 200, headers, body: { data: [], meta: { page: 1, per_page: 20, total: 0 } } }
      : { status: 429, headers, body: { detail: 'Rate limit exceeded', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 } };
  }

  private reset(end: number, now: number): string | undefined {
    switch (this.options.resetUnit ?? 'epoch-s') {
      case 'epoch-s':
        return String(Math.ceil(end / 1000));
      case 'epoch-s-floor':
        return String(Math.floor(end / 1000));
      case 'epoch-ms':
        return String(end);
      case 'delta-s':
        return String(Math.ceil((end - now) / 1000));
      case 'none':
        return undefined;
    }
  }
}
