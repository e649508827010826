/**
 * How long a token can be accepted, and so how long every record about it must be kept.
 * jsonwebtoken accepts a token while floor(now / 1000) < exp + clockTolerance: a revocation or a
 * used-marker that ended at exp would let a dead credential work again for the tolerance.
 */

/**
 * Added to every record's life: Redis rounds TTLs to the millisecond it is sent, and replicas'
 * clocks differ a little.
 */
export const RECORD_MARGIN_MS = 1_000;

/** Epoch seconds now, as jsonwebtoken counts them for iat and exp. */
export function nowSec(now = Date.now()): number {
  return Math.floor(now / 1000);
}

/**
 * The first epoch ms at which jsonwebtoken refuses a token with this `exp` (epoch s): until then it
 * is accepted. A cache of verified tokens may keep one until here, and not a millisecond longer.
 */
export function acceptedUntil(expSec: number, clockToleranceSec: number): number {
  return (expSec + clockToleranceSec) * 1000;
}

/**
 * The epoch ms until which a record about a token with this `exp` (epoch s) — its revocation, its
 * used-marker — must be kept: past the token's last acceptable moment, by the margin.
 */
export function keepRecordUntil(expSec: number, clockToleranceSec: number): number {
  return acceptedUntil(expSec, clockToleranceSec) + RECORD_MARGIN_MS;
}
