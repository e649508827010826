import type { CredentialVerifier } from './credential-verifier.js';

/**
 * passport keeps one strategy per name for the whole process, so with two Nest apps in one
 * process (e2e suites, multi-app hosts) the 'provider-bearer' strategy registered last would check
 * every app's requests against its own app's secret and stores. Each app binds its verifier to its
 * HTTP server instance here, and the strategy looks up the request's own app.
 */
const byServer = new WeakMap<object, CredentialVerifier>();
let bound = 0;

export function bindVerifier(server: object, verifier: CredentialVerifier): void {
  if (!byServer.has(server)) bound++;
  byServer.set(server, verifier);
}

export function unbindVerifier(server: object): void {
  if (byServer.delete(server)) bound--;
}

/**
 * The verifier of the app that received `req` (Express: `req.app`; Fastify: `request.server`).
 * `null` when apps are bound but not this one: refuse rather than use another app's verifier.
 * `undefined` when no app is bound at all (no HTTP adapter): the strategy uses its own.
 */
export function verifierForRequest(req: { app?: unknown; server?: unknown }): CredentialVerifier | null | undefined {
  if (bound === 0) return undefined;
  for (const server of [req.app, req.server]) {
    if (typeof server === 'object' || typeof server === 'function') {
      const v = server !== null ? byServer.get(server as object) : undefined;
      if (v) return v;
    }
  }
  return null;
}
