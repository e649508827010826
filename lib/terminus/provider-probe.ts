import type { ProviderClient } from '../client/provider-client.js';
import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { shownError } from './shown-error.js';
import type { Verdict } from './store-probes.js';

interface Remembered {
  startedAt: number;
  settled: boolean;
  verdict: Promise<Verdict>;
}

/**
 * One provider's check, remembered: a call is started only when none was started in the last
 * `intervalMs`, so a health route polled every second costs the provider one call per interval;
 * checks that arrive while it is in flight (however long it takes) wait for it.
 */
export class ProviderProbe {
  private last: Remembered | undefined;

  constructor(
    private readonly dialect: ProviderDialect,
    private readonly client: ProviderClient,
  ) {}

  check(intervalMs: number, timeoutMs: number): Promise<Verdict> {
    const now = Date.now();
    const last = this.last;
    if (last && (!last.settled || now - last.startedAt < intervalMs)) return last.verdict;
    const entry: Remembered = { startedAt: now, settled: false, verdict: this.call(timeoutMs) };
    void entry.verdict.finally(() => {
      entry.settled = true;
    });
    this.last = entry;
    return entry.verdict;
  }

  /** Never rejects: a failure is a verdict. */
  private async call(timeoutMs: number): Promise<Verdict> {
    const { path, query } = this.dialect.healthCheck;
    const checkedAt = new Date();
    const started = performance.now();
    const took = () => ({ checkedAt: checkedAt.toISOString(), responseTimeMs: Math.round(performance.now() - started) });
    try {
      // Sent once: a retry would be a second call in the interval. A 401 still gets the client's one
      // renewal and replay, so a token that merely expired does not turn the check red.
      await this.client.request({ method: 'GET', path, query: { ...query }, idempotent: false, timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
      return { up: true, details: took() };
    } catch (error) {
      return { up: false, details: { ...took(), ...shownError(error) } };
    }
  }
}
