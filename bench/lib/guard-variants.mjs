// Where ProviderAuthGuard's time goes inside a request: its cache-hit path rebuilt in a subclass,
// once whole (the control, which must measure as ProviderAuthGuard does) and once without each of
// its pieces. Measurement only: a variant without a piece is not a guard to use. The subclasses
// read the guard's and the verifier's private members (TypeScript's `private` is not enforced at
// run time): a renamed member fails every request of its route, and a cache that stopped answering
// the variant fails its second request, so the benchmark stops rather than measure something else.
import { Injectable } from '@nestjs/common';

/** The pieces of the cache-hit path a variant can leave out. */
const PIECES = {
  framing: 'the framing checks (one Authorization header, no token in the query or body)',
  clock: 'the clock read against the entry’s expiry',
  copy: 'the copy of the principal for request.user',
  rules: 'the route’s rules (a fixed rule instead)',
  authorize: 'the role, scope and plan checks',
};

/** Each variant: its route name, what it leaves out, its label. */
export const VARIANTS = [
  { route: 'ablcontrol', without: [], label: 'control: the cache-hit path rebuilt whole' },
  ...Object.entries(PIECES).map(([piece, what]) => ({ route: `abl${piece}`, without: [piece], label: `without ${what}` })),
  {
    route: 'ablall',
    without: Object.keys(PIECES),
    label: 'without all five: reading the header, the cache lookup, setting request.user',
  },
];

const FIXED_RULE = Object.freeze({ isPublic: false, roles: Object.freeze([]), scopes: Object.freeze(['campaigns:read']) });

/** The variant guard classes by route name, built on `ProviderAuthGuard` and its framing check. */
export function variantGuards(ProviderAuthGuard, bearerHeaderCandidate) {
  const make = (without) => {
    const skip = Object.fromEntries(Object.keys(PIECES).map((p) => [p, without.includes(p)]));
    class Variant extends ProviderAuthGuard {
      /** Whether a request of this route has missed the cache (the first does: it fills the cache). */
      missed = false;

      // ProviderAuthGuard.canActivate's HTTP cache-hit path, line for line but for the pieces left out;
      // anything else (a miss, for the first request) goes through the real guard.
      canActivate(context) {
        const type = context.getType();
        if (type !== 'http' || this.customRequest) return super.canActivate(context);
        const rule = skip.rules ? FIXED_RULE : this.rules.for(context.getHandler(), context.getClass());
        if (rule.isPublic) return true;
        const req = context.getArgByIndex(0);
        const res = context.getArgByIndex(1);
        if (!req || !res) return false;
        const headers = req.headers;
        if (typeof headers !== 'object' || headers === null) return false;
        const header = skip.framing ? (typeof headers.authorization === 'string' ? headers.authorization : undefined) : bearerHeaderCandidate(req, headers);
        const principal = header === undefined ? undefined : this.cachedPrincipal(header);
        if (!principal) {
          if (this.missed) throw new Error(`bench variant without [${without}]: the cache missed again; it would measure the full check`);
          this.missed = true;
          return super.canActivate(context);
        }
        if (this.telemetry.enabled) this.telemetry.credentialCache(true);
        req.user = principal;
        if (!skip.authorize) {
          try {
            this.authorize(principal, rule.roles, rule.scopes);
          } catch {
            return super.canActivate(context); // the real guard's refusal (never taken here)
          }
        }
        return true;
      }

      /** CredentialVerifier.cachedHeader(), with or without the clock and the copy (JWT routes only: no usage note). */
      cachedPrincipal(header) {
        if (!skip.clock && !skip.copy) return this.verifier.cachedHeader(header);
        const cache = this.verifier.cacheIfLive();
        const hit = cache?.getByHeader(header, skip.clock ? 0 : Date.now());
        if (!hit) return undefined;
        return skip.copy ? hit.principal : { ...hit.principal };
      }
    }
    Injectable()(Variant);
    return Variant;
  };
  return Object.fromEntries(VARIANTS.map((v) => [v.route, make(v.without)]));
}

/**
 * The pieces of the cache-hit path that §1e times one by one, in the order the guard runs them,
 * and a last one that is nothing: two clock reads back to back, the cost of one mark, which every
 * other piece also carries and §1e subtracts.
 */
export const TIMED_PIECES = [
  ['context', 'the context: its type, the request and the response'],
  ['rules', 'the route’s rules'],
  ['headers', 'reading request.headers'],
  ['framing', 'the framing checks (one Authorization header, no token in the query or body)'],
  ['feeds', 'the revocation feeds’ liveness'],
  ['clock', 'the clock read (Date.now())'],
  ['lookup', 'the cache lookup (the header’s tail key, the Map, the whole header compared, the expiry)'],
  ['copy', 'the copy of the principal'],
  ['user', 'setting request.user'],
  ['checks', 'the role, scope and plan checks'],
  ['mark', 'nothing (one mark: subtracted from each piece above)'],
];
/** Each piece's total ns since the last reset, and the calls they came from (read by inject-app.mjs). */
export const pieceTotals = { ns: new Float64Array(TIMED_PIECES.length), calls: 0 };

/**
 * ProviderAuthGuard's cache-hit path rebuilt as the control of §1d is (the same calls in the same
 * order), with a clock read between its pieces: what each piece spends inside a real request.
 */
export function piecesGuard(ProviderAuthGuard, bearerHeaderCandidate) {
  const clock = process.hrtime.bigint;
  class Pieces extends ProviderAuthGuard {
    missed = false;

    canActivate(context) {
      const t0 = clock();
      const type = context.getType();
      if (type !== 'http' || this.customRequest) return super.canActivate(context);
      const req = context.getArgByIndex(0);
      const res = context.getArgByIndex(1);
      if (!req || !res) return false;
      const t1 = clock();
      const rule = this.rules.for(context.getHandler(), context.getClass());
      if (rule.isPublic) return true;
      const t2 = clock();
      const headers = req.headers;
      if (typeof headers !== 'object' || headers === null) return false;
      const t3 = clock();
      const header = bearerHeaderCandidate(req, headers);
      const t4 = clock();
      const cache = header === undefined ? undefined : this.verifier.cacheIfLive();
      const t5 = clock();
      const now = Date.now();
      const t6 = clock();
      const hit = cache?.getByHeader(header, now);
      const t7 = clock();
      const principal = this.verifier.served(hit, now);
      const t8 = clock();
      if (!principal) {
        if (this.missed) throw new Error('bench pieces guard: the cache missed again; it would time the full check');
        this.missed = true;
        return super.canActivate(context);
      }
      if (this.telemetry.enabled) this.telemetry.credentialCache(true);
      req.user = principal;
      const t9 = clock();
      this.authorize(principal, rule.roles, rule.scopes);
      const t10 = clock();
      const t11 = clock();
      const ns = pieceTotals.ns;
      ns[0] += Number(t1 - t0);
      ns[1] += Number(t2 - t1);
      ns[2] += Number(t3 - t2);
      ns[3] += Number(t4 - t3);
      ns[4] += Number(t5 - t4);
      ns[5] += Number(t6 - t5);
      ns[6] += Number(t7 - t6);
      ns[7] += Number(t8 - t7);
      ns[8] += Number(t9 - t8);
      ns[9] += Number(t10 - t9);
      ns[10] += Number(t11 - t10);
      pieceTotals.calls++;
      return true;
    }
  }
  Injectable()(Pieces);
  return Pieces;
}
