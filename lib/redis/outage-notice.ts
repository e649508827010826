import type { LoggerService } from '@nestjs/common';

/**
 * The log lines of a store that keeps working without Redis (in this process's memory): one when
 * it starts to, one when Redis answers again — never one per call, however long the outage.
 */
export class OutageNotice {
  private down = false;

  constructor(
    private readonly logger: LoggerService,
    /** What the store does meanwhile (after the reason); and what it does again once Redis is back. */
    private readonly texts: { meanwhile: string; again: string },
  ) {}

  /** A Redis call failed; the store falls back. `error` is a RedisUnavailableError (its message holds no key or value). */
  failed(error: unknown): void {
    if (this.down) return;
    this.down = true;
    const reason = error instanceof Error ? error.message : 'Redis is unavailable';
    this.logger.warn(`${reason}: ${this.texts.meanwhile}`);
  }

  /** A Redis call succeeded. */
  answered(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.log(`Redis reachable again: ${this.texts.again}`);
  }
}
