import type { EventIdStore } from './event-id-store.interface.js';

interface Entry {
  state: 'claimed' | 'done';
  /** Epoch ms after which the entry no longer counts. */
  until: number;
}

/** At most this many ids between two sweeps of expired ones (a sweep runs when it is reached). */
const SWEEP_EVERY = 10_000;

/**
 * The default EventIdStore: one process's memory. Enough for one replica; replicas that share
 * webhook traffic need a shared store (RedisEventIdStore). Expired ids are swept as new ones come.
 */
export class InMemoryEventIdStore implements EventIdStore {
  private readonly entries = new Map<string, Entry>();
  private sinceSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  claim(id: string, leaseMs: number): Promise<'claimed' | 'busy' | 'done'> {
    const t = this.now();
    const entry = this.entries.get(id);
    if (entry && entry.until > t) return Promise.resolve(entry.state === 'done' ? 'done' : 'busy');
    this.entries.set(id, { state: 'claimed', until: t + leaseMs });
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(t);
    return Promise.resolve('claimed');
  }

  complete(id: string, ttlMs: number): Promise<void> {
    this.entries.set(id, { state: 'done', until: this.now() + ttlMs });
    return Promise.resolve();
  }

  release(id: string): Promise<void> {
    if (this.entries.get(id)?.state === 'claimed') this.entries.delete(id);
    return Promise.resolve();
  }

  private sweep(t: number): void {
    this.sinceSweep = 0;
    for (const [id, entry] of this.entries) if (entry.until <= t) this.entries.delete(id);
  }
}
