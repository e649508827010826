import type { ApiKeyStore } from './api-key-store.interface.js';

const WRITE_EVERY_MS = 60_000;
const MAX_TRACKED = 10_000;

/**
 * Records when keys are used without a store write per request: at most one write per key per
 * minute from this process, in the background (a failed write never fails the request).
 */
export class ApiKeyUsage {
  private readonly lastWritten = new Map<string, number>();

  constructor(private readonly store: ApiKeyStore) {}

  record(id: string, now = Date.now()): void {
    const last = this.lastWritten.get(id);
    if (last !== undefined && now - last < WRITE_EVERY_MS) return;
    // Bounded: forgetting only means one extra write for a key seen again.
    if (this.lastWritten.size >= MAX_TRACKED) this.lastWritten.clear();
    this.lastWritten.set(id, now);
    this.store.touch(id, new Date(now)).catch(() => this.lastWritten.delete(id));
  }
}
