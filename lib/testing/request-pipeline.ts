import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatedProvider, ProviderCounters } from './emulator-types.js';
import type { RequestHandler } from './emulator-server.js';
import { FaultQueue, faultAnswers, faultHeaders } from './faults.js';
import { createContext, relativePath, writeAnswer, type Headers, type RequestContext } from './http-io.js';

export type RequestKind = 'login' | 'refresh' | 'resource';

/** One emulated provider: its routes and how its answers look. */
export interface ProviderApp {
  readonly provider: EmulatedProvider;
  readonly basePath: string;
  readonly counters: ProviderCounters;
  /** Which kind of request this is; only a POST to an auth path is an auth request. */
  classify(method: string, path: string | undefined): RequestKind;
  /** Headers every resource answer carries (Affilync's rate-limit headers). Called once per resource request. */
  resourceHeaders(): Headers;
  /** The provider's error answer for a status, used for status-only faults and crashes. */
  errorAnswer(status: number, kind: RequestKind): { body: unknown; headers: Headers };
  /** Answers a request no fault took over; counts logins, refreshes and 401s itself. */
  handle(kind: RequestKind, ctx: RequestContext): Promise<void>;
}

/**
 * The path every request takes: count it, let the first matching fault hang, delay or replace the
 * answer, else hand it to the provider's routes.
 */
export function requestPipeline(
  app: ProviderApp,
  faults: FaultQueue,
  sleep: (ms: number) => Promise<boolean>,
): RequestHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = relativePath(url.pathname, app.basePath);
    const kind = app.classify(method, path);
    const pinned: Headers = kind === 'resource' ? app.resourceHeaders() : {};
    if (kind === 'resource') app.counters.calls++;

    const fault = faults.take(app.provider, method, path);
    if (fault?.hang) {
      countFaulted(app.counters, kind, undefined);
      req.resume();
      return; // never answered: close() or the client ends it
    }
    if (fault?.delayMs && !(await sleep(fault.delayMs))) return; // closed while waiting
    if (fault && faultAnswers(fault)) {
      req.resume();
      const status = fault.status ?? 200;
      countFaulted(app.counters, kind, status);
      if (fault.body !== undefined) {
        writeAnswer(res, status, { ...pinned, 'content-type': 'application/json', ...faultHeaders(fault) }, fault.body);
      } else {
        const answer = app.errorAnswer(status, kind);
        const body = status === 204 ? undefined : status < 400 ? '{}' : JSON.stringify(answer.body);
        const headers = { ...pinned, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...answer.headers };
        writeAnswer(res, status, { ...headers, ...faultHeaders(fault) }, body);
      }
      return;
    }
    if (fault) Object.assign(pinned, faultHeaders(fault));

    const ctx = createContext(req, res, method, url, path, pinned);
    try {
      await app.handle(kind, ctx);
    } catch {
      if (res.headersSent) res.destroy();
      else {
        const answer = app.errorAnswer(500, kind);
        ctx.send(500, answer.body, answer.headers);
      }
    }
  };
}

/** A request answered (or swallowed) by a fault gets no token: auth requests count as failed. */
function countFaulted(counters: ProviderCounters, kind: RequestKind, status: number | undefined): void {
  if (kind === 'login') counters.failedLogins++;
  else if (kind === 'refresh') counters.failedRefreshes++;
  else if (status === 401) counters.rejected++;
}
