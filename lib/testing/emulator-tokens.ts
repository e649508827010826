import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { decodeJwtPayload } from '../dialects/auth-answer.js';

/** Why a token was refused. */
export type TokenRefusal = 'invalid' | 'expired';

export type TokenCheck =
  | { ok: true; jti: string; sub: string; claims: Record<string, unknown> }
  | { ok: false; reason: TokenRefusal };

interface TokenRecord {
  kind: string;
  /** Exact expiry in epoch ms (the claims only hold whole seconds). */
  expMs: number;
  revoked: boolean;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
/** Sweep expired records once this many tokens were issued since the last sweep. */
const SWEEP_EVERY = 256;

/**
 * HS256 JWTs signed with a random secret of its own, plus the server-side state the providers keep
 * about them: which are still alive (rotation, revocation) and exactly when each one expires.
 */
export class TokenBook {
  private readonly secret = randomBytes(32);
  private readonly records = new Map<string, TokenRecord>();
  private issuedSinceSweep = 0;

  /** @param typClaim whether tokens carry a `typ` claim naming their kind (Affilync's access/refresh). */
  constructor(private readonly typClaim: boolean) {}

  issue(kind: string, sub: string, ttlSec: number, extraClaims: Record<string, unknown> = {}): string {
    const nowMs = Date.now();
    if (++this.issuedSinceSweep >= SWEEP_EVERY) this.sweep(nowMs);
    const jti = randomUUID();
    const iat = Math.floor(nowMs / 1000);
    const claims: Record<string, unknown> = { sub };
    if (this.typClaim) claims.typ = kind;
    Object.assign(claims, extraClaims, { jti, iat, exp: iat + ttlSec });
    // Server-side expiry is timed from the real issue time, so a client timing the lifetime from
    // its request (exp - iat, or expires_in) never sees it end early.
    this.records.set(jti, { kind, expMs: nowMs + ttlSec * 1000, revoked: false });
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${HEADER}.${payload}.${this.sign(`${HEADER}.${payload}`)}`;
  }

  /** Expired is reported before revoked: a dead token that also ran out says "expired". */
  check(token: string, kind: string): TokenCheck {
    const claims = this.verifySignature(token);
    if (!claims || typeof claims.jti !== 'string' || typeof claims.sub !== 'string') return { ok: false, reason: 'invalid' };
    if (this.typClaim && claims.typ !== kind) return { ok: false, reason: 'invalid' };
    const record = this.records.get(claims.jti);
    const now = Date.now();
    if (!record) {
      // Swept (long expired) or never ours.
      const expired = typeof claims.exp === 'number' && claims.exp * 1000 <= now;
      return { ok: false, reason: expired ? 'expired' : 'invalid' };
    }
    if (record.kind !== kind) return { ok: false, reason: 'invalid' };
    if (now >= record.expMs) return { ok: false, reason: 'expired' };
    if (record.revoked) return { ok: false, reason: 'invalid' };
    return { ok: true, jti: claims.jti, sub: claims.sub, claims };
  }

  revoke(jti: string): void {
    const record = this.records.get(jti);
    if (record) record.revoked = true;
  }

  revokeAll(kind: string): void {
    for (const record of this.records.values()) if (record.kind === kind) record.revoked = true;
  }

  private sign(input: string): string {
    return createHmac('sha256', this.secret).update(input).digest('base64url');
  }

  private verifySignature(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return undefined;
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return decodeJwtPayload(token);
  }

  /** Forget tokens that expired: check() still calls them expired from their exp claim. */
  private sweep(nowMs: number): void {
    this.issuedSinceSweep = 0;
    for (const [jti, record] of this.records) if (record.expMs <= nowMs) this.records.delete(jti);
  }
}
