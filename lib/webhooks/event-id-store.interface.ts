/**
 * Where webhook event ids (`evt_…`) are remembered, so that each event is handled once however
 * often, and on however many replicas, the provider delivers it. Every method is atomic: two
 * replicas claiming one id at the same moment get one 'claimed' between them.
 *
 * The in-memory default serves one process; replicas share a `RedisEventIdStore`
 * (`nest-provider-auth/redis`) or a store of your own.
 */
export interface EventIdStore {
  /**
   * Takes the id for one handling, for at most `leaseMs` (a holder that dies lets go then):
   * - 'claimed': nobody handled it or holds it; it is yours until complete() or release();
   * - 'busy': another handling holds it and its lease has not run out;
   * - 'done': it was handled (complete() was called, and its ttl has not run out).
   */
  claim(id: string, leaseMs: number): Promise<'claimed' | 'busy' | 'done'>;
  /** The handling succeeded: the id is 'done' for `ttlMs`, whoever claims it. */
  complete(id: string, ttlMs: number): Promise<void>;
  /** The handling failed: the id is free again at once (unless it is already 'done'), for the provider's retry. */
  release(id: string): Promise<void>;
}

/** Injection token for the EventIdStore (same name as the interface; one token for the ESM and CommonJS builds). */
export const EventIdStore = Symbol.for('nest-provider-auth:EventIdStore');
