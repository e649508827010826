// A guard of known cost for the guard benchmarks (sections 1, 1b, 1e): no Nest import, so the
// parent process can read SPIN_NS without loading the app.

/** What SpinGuard spends per call: the target's allowance over the trivial guard. */
export const SPIN_NS = 1_000;
/**
 * One read of the clock SpinGuard waits on, measured once (the last of three passes: the first
 * runs before the JIT), so that the wait and its last read together make SPIN_NS.
 */
const clockReadNs = (() => {
  const reads = 100_000;
  let ns = 0;
  for (let pass = 0; pass < 3; pass++) {
    const began = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) process.hrtime.bigint();
    ns = Number(process.hrtime.bigint() - began) / reads;
  }
  return ns;
})();

/**
 * A guard that does nothing but wait SPIN_NS on the clock (a busy loop: no allocation, no request
 * property touched): a guard of known cost, to read what the request-level "over the trivial guard"
 * figures make of a given cost inside the guard.
 */
export class SpinGuard {
  canActivate() {
    const until = process.hrtime.bigint() + BigInt(Math.max(0, Math.round(SPIN_NS - clockReadNs)));
    while (process.hrtime.bigint() < until);
    return true;
  }
}
