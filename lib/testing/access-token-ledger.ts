/**
 * The `clockToleranceSec` of the emulated providers' tokens: one second, the least with which the
 * library never refuses a token before its exact deadline below (see AccessTokenLedger).
 */
export const EMULATOR_CLOCK_TOLERANCE_SEC = 1;

/** Forget an entry this long after its token expired: by then the library refuses it by itself. */
const KEEP_AFTER_EXPIRY_MS = 2_000;
/** Sweep forgotten entries once this many tokens were recorded since the last sweep. */
const SWEEP_EVERY = 256;

/**
 * The access tokens an emulated provider handed out, with the exact time each one dies.
 *
 * Why: the library's tokens carry whole-second `iat`/`exp` and jsonwebtoken compares them with a
 * floored clock, so a token lives between ttl−1 and ttl seconds. A client that times `expires_in`
 * from its request (as ours does) would then meet 401s before its scheduled renewal — with the
 * 1–2 s lifetimes tests use, about every other token. The emulator's guard therefore accepts one
 * second of clock tolerance and refuses a token here at exactly issue time + ttl, as the old
 * emulator did. Affilync's revokeAccessTokens() also needs the list: it revokes the tokens one by
 * one so that refresh tokens keep working.
 */
export class AccessTokenLedger {
  /** token → epoch ms at which it expires */
  private readonly deadlines = new Map<string, number>();
  private recordedSinceSweep = 0;

  constructor(private readonly ttlSec: number) {}

  /** @param issuedAt epoch ms taken before the token was signed, so the deadline is never late. */
  record(token: string, issuedAt: number): void {
    if (++this.recordedSinceSweep >= SWEEP_EVERY) this.sweep();
    this.deadlines.set(token, issuedAt + this.ttlSec * 1000);
  }

  /** True for a token of ours whose lifetime is over; false for a live one and for one we never issued. */
  hasExpired(token: string): boolean {
    const deadline = this.deadlines.get(token);
    return deadline !== undefined && Date.now() >= deadline;
  }

  /**
   * The tokens still alive, forgotten here (the caller revokes them, so the library refuses them
   * from now on). Expired ones stay: their exact deadline still matters within the tolerance.
   */
  takeLive(): string[] {
    const now = Date.now();
    const live = [...this.deadlines].filter(([, deadline]) => deadline > now).map(([token]) => token);
    for (const token of live) this.deadlines.delete(token);
    return live;
  }

  private sweep(): void {
    this.recordedSinceSweep = 0;
    const cutoff = Date.now() - KEEP_AFTER_EXPIRY_MS;
    for (const [token, deadline] of this.deadlines) if (deadline <= cutoff) this.deadlines.delete(token);
  }
}
