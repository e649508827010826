import { createHmac } from 'node:crypto';
import { AFFILYNC } from '../dialects/affilync.dialect.js';

/**
 * The `X-Affilync-Signature` value Affilync would send for this body, for your tests:
 * `sha256=` + hex HMAC-SHA256 of the exact body bytes, keyed with the secret as given.
 */
export function signAffilyncWebhook(body: string | Buffer, secret: string): string {
  return AFFILYNC.webhook.signaturePrefix + createHmac(AFFILYNC.webhook.hmac, secret).update(body).digest('hex');
}
