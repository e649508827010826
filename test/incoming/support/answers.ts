/**
 * The documented answers (DESIGN.md "Incoming", RFC 6750 §3) and the assertions every case makes.
 */
import { expect } from '@jest/globals';
import type { CapturingLogger } from '../../support/capturing-logger.js';
import { handlerRuns, leaks, normalise, type Answer } from './incoming-app.js';

/** The documented scope catalogue and the role → scope mapping. */
export const CATALOGUE = [
  'campaigns:read',
  'campaigns:write',
  'links:read',
  'links:write',
  'analytics:read',
  'calls:read',
  'calls:write',
  'affiliates:read',
  'affiliates:write',
  'webhooks:manage',
  'commissions:read',
  'payouts:write',
];
export const ROLE_SCOPES = {
  admin: CATALOGUE,
  member: CATALOGUE.filter((s) => s.endsWith(':read') || s === 'campaigns:write' || s === 'affiliates:write'),
};

export type Refusal =
  | { refuse: 'missing' | 'other-scheme' | 'malformed' | 'invalid' | 'expired' | 'outside-header' | 'duplicate-header' | 'role' | 'plan' | 'unavailable' }
  | { refuse: 'scope'; scopes: string[] };
export type Outcome = 'accept' | Refusal;

export const R = {
  missing: { refuse: 'missing' },
  otherScheme: { refuse: 'other-scheme' },
  malformed: { refuse: 'malformed' },
  invalid: { refuse: 'invalid' },
  expired: { refuse: 'expired' },
  outside: { refuse: 'outside-header' },
  duplicate: { refuse: 'duplicate-header' },
  role: { refuse: 'role' },
  plan: { refuse: 'plan' },
  unavailable: { refuse: 'unavailable' },
  scope: (...scopes: string[]): Refusal => ({ refuse: 'scope', scopes }),
} satisfies Record<string, Refusal | ((...s: string[]) => Refusal)>;

export type ErrorFormat = 'affilync' | 'convertly';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

/** Status, error code and exact WWW-Authenticate value (null: absent) of a refusal. */
export function expectedAnswer(r: Refusal, realm: string): { status: number; code: string; challenge: string | null } {
  const bearer = `Bearer realm="${realm}"`;
  switch (r.refuse) {
    case 'missing':
    case 'other-scheme':
      return { status: 401, code: 'TOKEN_INVALID', challenge: bearer };
    case 'malformed':
    case 'invalid':
      return { status: 401, code: 'TOKEN_INVALID', challenge: `${bearer}, error="invalid_token"` };
    case 'expired':
      return { status: 401, code: 'TOKEN_EXPIRED', challenge: `${bearer}, error="invalid_token"` };
    case 'outside-header':
    case 'duplicate-header':
      return { status: 400, code: 'INVALID_REQUEST', challenge: `${bearer}, error="invalid_request"` };
    case 'scope':
      return { status: 403, code: 'INSUFFICIENT_SCOPE', challenge: `${bearer}, error="insufficient_scope", scope="${r.scopes.join(' ')}"` };
    case 'role':
      return { status: 403, code: 'INSUFFICIENT_ROLE', challenge: null };
    case 'plan':
      return { status: 403, code: 'PAYMENT_REQUIRED', challenge: null };
    case 'unavailable':
      return { status: 503, code: 'SERVICE_UNAVAILABLE', challenge: null };
  }
}

export function expectedBody(status: number, code: string, format: ErrorFormat): Record<string, unknown> {
  return format === 'affilync'
    ? { detail: expect.any(String), error_code: code, status }
    : { statusCode: status, message: expect.any(String), error: STATUS_TEXT[status] };
}

// What jsonwebtoken says; the answers must never echo it (DESIGN: "error text never echoes jsonwebtoken's").
const JWT_LIBRARY_TEXT =
  /jwt (malformed|expired|signature|must|not active|audience|issuer|id|subject)|invalid (signature|algorithm|token|exp value|nbf value)|unexpected token|secret or public key/i;

export interface Judged {
  answer: Answer;
  runsBefore: number;
  /** Every credential string presented; none may show up in the answer or the logs. */
  credentials: string[];
  logger: CapturingLogger;
}

/** Refused exactly as documented; the handler did not run; nothing presented is echoed or logged. */
export function expectRefused(j: Judged, r: Refusal, format: ErrorFormat = 'affilync', realm = 'api'): void {
  const want = expectedAnswer(r, realm);
  expect({ status: j.answer.status, body: j.answer.body }).toEqual({ status: want.status, body: expectedBody(want.status, want.code, format) });
  expect(j.answer.headers['www-authenticate']).toBe(want.challenge ?? undefined);
  const text = format === 'affilync' ? (j.answer.body as { detail: string }).detail : (j.answer.body as { message: string }).message;
  expect(JWT_LIBRARY_TEXT.test(text)).toBe(false);
  expect(handlerRuns.count - j.runsBefore).toBe(0);
  expectNoLeak(j);
}

/** Accepted: 200, the handler ran once, with this principal. */
export function expectAccepted(j: Judged, principal: unknown): void {
  expect(j.answer.status).toBe(200);
  expect(normalise(j.answer.body)).toEqual(normalise(principal));
  expect(handlerRuns.count - j.runsBefore).toBe(1);
  expectNoLeak(j);
}

export function expectNoLeak(j: Judged): void {
  // Booleans only: a failing assertion must not print the credential either.
  for (const c of j.credentials) expect(leaks(c, j.answer, j.logger)).toEqual({ inAnswer: false, inLogs: false });
}
