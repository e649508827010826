import { randomBytes } from 'node:crypto';
import type { IncomingOptions } from '../lib/index.js';

/** The documented demo webhook secret, so the README's curl can sign a body. */
export const SAMPLE_WEBHOOK_SECRET = 'whsec_sample_demo_secret_change_me';

/**
 * The sample's own API: its JWT secret from SAMPLE_JWT_SECRET (≥ 32 bytes) or a random one per
 * run (tokens then die with the process), its webhook secret from AFFILYNC_WEBHOOK_SECRET.
 */
export function incomingOptions(env: NodeJS.ProcessEnv): IncomingOptions {
  return {
    jwtSecret: env.SAMPLE_JWT_SECRET ?? randomBytes(32),
    webhookSecret: webhookSecret(env),
  };
}

/** The secret Affilync signs this app's webhooks with: the one it is registered with, and the one checked. */
export function webhookSecret(env: NodeJS.ProcessEnv): string {
  return env.AFFILYNC_WEBHOOK_SECRET ?? SAMPLE_WEBHOOK_SECRET;
}
