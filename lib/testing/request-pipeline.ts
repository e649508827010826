import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderCounters } from './emulator-types.js';
import { FaultQueue, faultAnswers, faultHeaders } from './faults.js';
import { parseJsonBody, readBody, relativePath, writeAnswer, type Headers } from './http-io.js';
import type { ProviderProfile, RequestKind } from './provider-profile.js';
import { setBody } from './request-params.js';
import type { Sleeper } from './sleeper.js';

type Next = (error?: unknown) => void;

/**
 * Express middleware that every request meets before Nest's routes: count it, let the first
 * matching fault hang, delay or replace the answer, pin a fault's headers, read
 * the JSON body, then hand over to the routes (and the library's guard).
 *
 * Rate-limit headers are not set here: the credential is not known yet. With the `rateLimits` option
 * on, RateLimitInterceptor sets them after the guard; without it no answer reports a budget.
 *
 * Nest's body parser is off: a malformed body must reach the routes (as JsonBody's 400 in the
 * provider's error shape, after the guard), not become the framework's own 400 before the guard.
 */
export function requestPipeline(profile: ProviderProfile, counters: ProviderCounters, faults: FaultQueue, sleeper: Sleeper) {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    run(req, res).then((handOver) => handOver && next(), next);
  };

  /** Resolves true when the routes should answer. */
  async function run(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = relativePath(url.pathname, profile.basePath);
    const kind = profile.classify(method, path);
    const pinned: Headers = {};
    if (kind === 'resource') counters.calls++;

    const fault = faults.take(profile.provider, method, path);
    if (fault?.hang) {
      countFaulted(counters, kind, undefined);
      req.resume();
      return false; // never answered: close() or the client ends it
    }
    if (fault?.delayMs && !(await sleeper.sleep(fault.delayMs))) return false; // closed while waiting
    if (fault && faultAnswers(fault)) {
      req.resume();
      const status = fault.status ?? 200;
      countFaulted(counters, kind, status);
      if (fault.body !== undefined) {
        writeAnswer(res, status, { ...pinned, 'content-type': 'application/json', ...faultHeaders(fault) }, fault.body);
      } else {
        const answer = profile.errorAnswer(status, kind);
        const body = status === 204 ? undefined : status < 400 ? '{}' : JSON.stringify(answer.body);
        const headers = { ...pinned, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...answer.headers };
        writeAnswer(res, status, { ...headers, ...faultHeaders(fault) }, body);
      }
      return false;
    }
    if (fault) Object.assign(pinned, faultHeaders(fault));

    // Set now, before any route runs: nothing later sets these names, so they are in every answer.
    for (const [name, value] of Object.entries(pinned)) res.setHeader(name, value);
    // The status decides the count, whoever answered: a route, the library's guard or the error filter.
    res.once('finish', () => countAnswered(counters, kind, res.statusCode));
    setBody(req, parseJsonBody(await readBody(req)));
    return true;
  }
}

/** A request answered (or swallowed) by a fault gets no token: auth requests count as failed. */
function countFaulted(counters: ProviderCounters, kind: RequestKind, status: number | undefined): void {
  if (kind === 'login') counters.failedLogins++;
  else if (kind === 'refresh') counters.failedRefreshes++;
  else if (status === 401) counters.rejected++;
  else if (status === 429) counters.rateLimited++;
}

function countAnswered(counters: ProviderCounters, kind: RequestKind, status: number): void {
  const ok = status >= 200 && status < 300;
  if (kind === 'login') counters[ok ? 'logins' : 'failedLogins']++;
  else if (kind === 'refresh') counters[ok ? 'refreshes' : 'failedRefreshes']++;
  else if (status === 401) counters.rejected++;
  else if (status === 429) counters.rateLimited++;
}
