const MAX_MARGIN_MS = 5 * 60_000;
const MARGIN_SHARE = 0.2;

/**
 * When to start renewing a token that lives from `obtainedAt` to `expiresAt`: a margin of
 * min(5 min, 20% of its lifetime) before expiry, moved earlier by a random jitter of at most half
 * that margin so replicas and processes do not all renew at the same instant. However short the
 * lifetime, the token is renewed once, between 70% and 80% of it.
 */
export function refreshAtFor(obtainedAt: number, expiresAt: number, random: () => number = Math.random): number {
  const lifetime = Math.max(0, expiresAt - obtainedAt);
  const margin = Math.min(MAX_MARGIN_MS, lifetime * MARGIN_SHARE);
  return expiresAt - margin - random() * margin * 0.5;
}

/**
 * A token with less than this left is not sent to a refresh that needs it alive (Convertly): it
 * could expire on the way. A quarter of its renewal window, at most 5 s.
 */
export function refreshSafetyMs(refreshAt: number, expiresAt: number): number {
  return Math.min(5_000, Math.max(0, expiresAt - refreshAt) / 4);
}
