import type { RevocationFeed } from '../issuing/revocation-feed.js';
import { shownError, type ShownError } from './shown-error.js';

/** One check's verdict and what the health result shows of it (never a key, value or URL). */
export interface Verdict {
  up: boolean;
  details: Record<string, unknown>;
}

/** The key every read probe asks for: fixed, and no secret (nothing is ever stored under it). */
export const PROBE_KEY = 'nest-provider-auth:health-probe';

/**
 * Whether a store answers. A store with `isAvailable()` (RedisTokenStore) is asked that, which
 * costs nothing; otherwise `read` (a lookup of PROBE_KEY) must settle within `timeoutMs`. A store
 * with neither is reported up, `probed: false`: nothing of its interface can be asked cheaply.
 */
export async function probeStore(store: unknown, read: (() => Promise<unknown>) | undefined, timeoutMs: number): Promise<Verdict> {
  const details: Record<string, unknown> = { store: className(store) };
  const isAvailable = (store as { isAvailable?: unknown } | null)?.isAvailable;
  if (typeof isAvailable === 'function') {
    try {
      const available = isAvailable.call(store) as unknown;
      return available === false ? { up: false, details: { ...details, available: false } } : { up: true, details };
    } catch (error) {
      return { up: false, details: { ...details, ...shownError(error) } };
    }
  }
  if (!read) return { up: true, details: { ...details, probed: false } };
  const started = performance.now();
  try {
    await withTimeout(read, timeoutMs);
    return { up: true, details: { ...details, responseTimeMs: Math.round(performance.now() - started) } };
  } catch (error) {
    const shown: ShownError & { timeoutMs?: number } = shownError(error);
    if (error instanceof ProbeTimeout) shown.timeoutMs = timeoutMs;
    return { up: false, details: { ...details, ...shown } };
  }
}

export type FeedState = 'live' | 'down' | 'none';

/** A store's revocation feed: 'none' when the store has no feed (then nothing is cached from it). */
export function feedState(store: unknown): FeedState {
  const feed = (store as { revocations?: Partial<RevocationFeed> } | null)?.revocations;
  if (!feed || typeof feed.isLive !== 'function') return 'none';
  try {
    return feed.isLive() === true ? 'live' : 'down';
  } catch {
    return 'down';
  }
}

/** A probe that did not settle in time. */
export class ProbeTimeout extends Error {
  constructor() {
    super('The probe did not settle in time');
    this.name = 'TimeoutError';
  }
}

async function withTimeout(fn: () => Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  try {
    // A call that throws synchronously counts as a failed probe, like a rejection.
    const probe = Promise.resolve().then(fn);
    // A probe that loses the race may still reject later: that must not become an unhandled rejection.
    probe.catch(() => undefined);
    await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A class name to show (a store's); anything odd becomes 'unknown'. */
export function className(value: unknown): string {
  const name = (value as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/.test(name) ? name : 'unknown';
}
