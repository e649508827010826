import { InvalidAuthAnswer } from './dialect.interface.js';

/** Longest lifetime we believe a provider would give an access token: beyond it the answer is garbage. */
export const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 3600 * 1000;

export function asRecord(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidAuthAnswer(`${what} answer is not a JSON object`);
  }
  return body as Record<string, unknown>;
}

/**
 * Shortest lifetime we accept: a token that dies sooner would be renewed on nearly every call
 * (a 0.5 s token cost 4 renewals in 5 calls), so such an answer is garbage, not a token.
 */
export const MIN_TOKEN_LIFETIME_MS = 1_000;

// What a header value can carry as a bearer credential: visible ASCII, nothing else (no space,
// CR, LF, NUL, DEL or non-ASCII), so a stored token can always be sent.
const SENDABLE_TOKEN = /^[\x21-\x7e]+$/;

export function requireToken(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidAuthAnswer(`${what} answer has no ${field}`);
  }
  if (!SENDABLE_TOKEN.test(value)) {
    throw new InvalidAuthAnswer(`${what} answer has ${field} holding characters that cannot be sent in a header`);
  }
  return value;
}

/** A lifetime in seconds as a provider sends it, checked to be a sane number of at least 1 s. */
export function lifetimeMs(seconds: unknown, field: string, what: string): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidAuthAnswer(`${what} answer has an invalid ${field}`);
  }
  const ms = seconds * 1000;
  if (ms < MIN_TOKEN_LIFETIME_MS) throw new InvalidAuthAnswer(`${what} answer has a lifetime under 1 s in ${field}`);
  if (ms > MAX_TOKEN_LIFETIME_MS) throw new InvalidAuthAnswer(`${what} answer has an absurd ${field}`);
  return ms;
}

/** The payload of a JWT, decoded but NOT verified: only used to learn its expiry. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A header holding a non-negative integer, or undefined. */
export function intHeader(headers: Record<string, string | string[] | undefined>, name: string): number | undefined {
  const raw = headerValue(headers, name);
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  return Number(raw);
}
