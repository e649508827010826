import type { Refusal } from './auth-answers.js';
import { extractBearer, type RequestLike } from './bearer-extraction.js';
import { CredentialStoreUnavailableError, type CredentialVerifier } from './credential-verifier.js';
import type { Principal } from './principal.js';

/** A request's principal, or the refusal that answers it. */
export type Authentication = { ok: true; principal: Principal; token: string } | { ok: false; refusal: Refusal };

/**
 * Reads a request's bearer credential (the Authorization header only) and verifies it: the one way
 * ProviderAuthGuard, ProviderThrottlerGuard and a GraphQL subscription's connection authenticate,
 * so none of them accepts what another refuses. A store that cannot answer is the `unavailable`
 * refusal (503), never a pass; any other error is thrown.
 */
export async function authenticateRequest(source: RequestLike, verifier: CredentialVerifier): Promise<Authentication> {
  const extraction = extractBearer(source);
  if (extraction.kind !== 'token') return { ok: false, refusal: { reason: extraction.kind } };
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
