import type { Refusal } from './auth-answers.js';
import { extractBearer, type RequestLike } from './bearer-extraction.js';
import { CredentialStoreUnavailableError, type CredentialVerifier } from './credential-verifier.js';
import type { Principal } from './principal.js';
import type { ProviderTelemetry } from '../telemetry/provider-telemetry.js';

/** A request's principal, or the refusal that answers it. */
export type Authentication = { ok: true; principal: Principal; token: string } | { ok: false; refusal: Refusal };

/**
 * Reads a request's bearer credential (the Authorization header only) and verifies it: the one way
 * ProviderAuthGuard, ProviderThrottlerGuard and a GraphQL subscription's connection authenticate,
 * so none of them accepts what another refuses. A store that cannot answer is the `unavailable`
 * refusal (503), never a pass; any other error is thrown. With `telemetry` enabled, the lookup in
 * the cache of verified credentials is counted (hit or miss).
 */
export async function authenticateRequest(source: RequestLike, verifier: CredentialVerifier, telemetry?: ProviderTelemetry): Promise<Authentication> {
  const extraction = extractBearer(source);
  if (extraction.kind !== 'token') return { ok: false, refusal: { reason: extraction.kind } };
  if (telemetry?.enabled) {
    // What verify() would answer first, asked here so a hit can be told from a miss.
    const cached = verifier.cached(extraction.token);
    telemetry.credentialCache(cached !== undefined);
    if (cached) return { ok: true, principal: cached, token: extraction.token };
  }
  try {
    const verification = await verifier.verify(extraction.token);
    return verification.ok
      ? { ok: true, principal: verification.principal, token: extraction.token }
      : { ok: false, refusal: { reason: verification.failure } };
  } catch (error) {
    if (error instanceof CredentialStoreUnavailableError) return { ok: false, refusal: { reason: 'unavailable' } };
    throw error;
  }
}
