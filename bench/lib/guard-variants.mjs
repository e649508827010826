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
