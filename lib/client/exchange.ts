import type { ReportedRateLimit } from '../dialects/dialect.interface.js';
import type { CallTrace } from '../telemetry/provider-telemetry.js';
import type { HttpMethod, TransportRequest, TransportResponse } from './http-transport.js';
import type { ProviderClientCore } from './provider-client.js';

/**
 * One call as it goes out, made once however often it is sent (retries, the replay after a 401):
 * its request (only the Authorization header changes between sends), its pacing, and what the
 * latest answer reported of the budget. A class rather than closures: the hot path allocates one
 * object per call instead of several.
 */
export class Exchange {
  /** The rate-limit headers of the latest answer, parsed once for the pacing and the result. */
  reported: ReportedRateLimit | undefined;
  private readonly request: TransportRequest;
  private readonly headers: Record<string, string>;
  private readonly waitBounds: { budgetMs: number; answerMs: number };

  constructor(
    private readonly core: ProviderClientCore,
    method: HttpMethod,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
    private readonly trace: CallTrace | undefined,
    /** How errors and waits name the call (`GET /campaigns`), built only when one needs it. */
    readonly describe: () => string,
  ) {
    this.headers = headers;
    this.request = { method, path, headers, body, timeoutMs, signal };
    // A wait for budget longer than the call would wait for an answer, or than the module lets a
    // Retry-After be waited out, is not begun.
    this.waitBounds = { budgetMs: Math.min(timeoutMs, core.http.maxRetryAfterMs), answerMs: timeoutMs };
  }

  /** Send once with `credential`, within the credential's rate budget. */
  async send(credential: string): Promise<TransportResponse> {
    const { core, trace } = this;
    const granted = core.pacer.acquire(this.waitBounds, this.signal, this.describe, trace);
    const ticket = typeof granted === 'object' ? await granted : granted;
    let res: TransportResponse | undefined;
    try {
      trace?.sent();
      // undici copies the headers when the request is dispatched: the next send may change them.
      this.headers.authorization = core.bearer.header(credential);
      res = await core.transport.send(this.request);
      trace?.answered(res.status);
      return res;
    } finally {
      const now = Date.now();
      this.reported = res && core.dialect.parseRateLimit(res.headers, now);
      const recorded = core.pacer.report(ticket, res, this.reported, now);
      if (recorded !== undefined) await recorded;
    }
  }
}

/**
 * `Bearer <credential>`, the same string for as long as the credential stays: built per call it
 * was a new (rope) string each time, flattened again by undici's header check and socket write.
 */
export class BearerHeader {
  private credential: string | undefined;
  private value = '';

  header(credential: string): string {
    if (credential !== this.credential) {
      this.credential = credential;
      this.value = `Bearer ${credential}`;
    }
    return this.value;
  }
}
