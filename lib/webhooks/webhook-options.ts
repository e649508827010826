import { createSecretKey, type KeyObject } from 'node:crypto';
import { int, storeOption, type Add } from '../incoming/option-checks.js';
import type { EventIdStore } from './event-id-store.interface.js';

/** Fewer than this many characters cannot be a signing secret anyone chose on purpose. */
const MIN_SECRET_LENGTH = 16;
/** More active secrets than this is not a rotation any more. */
const MAX_SECRETS = 10;
/**
 * How long a handled event id is remembered: Affilync's retry policy is cut off in its docs, so
 * this outlasts any schedule a provider plausibly keeps (Stripe's is 3 days): 7 days.
 */
export const DEFAULT_WEBHOOK_DEDUP_TTL_SEC = 7 * 86_400;
/** How long one handling holds an event id before another delivery of it may run (a holder that died). */
export const DEFAULT_WEBHOOK_LEASE_SEC = 60;

export interface ResolvedWebhookOptions {
  /** Every secret a signature may be made with, the newest first; empty when none is configured. */
  webhookKeys: readonly KeyObject[];
  eventIdStore?: EventIdStore;
  webhookDedupTtlSec: number;
  webhookLeaseSec: number;
}

interface RawWebhookOptions {
  webhookSecret?: unknown;
  eventIdStore?: unknown;
  webhookDedupTtlSec?: unknown;
  webhookLeaseSec?: unknown;
}

/** The webhook part of `incoming`; problems name the option and never a secret. */
export function resolveWebhookOptions(o: RawWebhookOptions, add: Add): ResolvedWebhookOptions {
  const ttl = int(o.webhookDedupTtlSec, 'incoming.webhookDedupTtlSec', 60, 366 * 86_400, DEFAULT_WEBHOOK_DEDUP_TTL_SEC, add);
  const lease = int(o.webhookLeaseSec, 'incoming.webhookLeaseSec', 1, 3_600, DEFAULT_WEBHOOK_LEASE_SEC, add);
  if (lease >= ttl) add('incoming.webhookLeaseSec', 'must be shorter than incoming.webhookDedupTtlSec');
  return {
    webhookKeys: webhookKeys(o.webhookSecret, add),
    eventIdStore: storeOption(o.eventIdStore, 'incoming.eventIdStore', ['claim', 'complete', 'release'], add) as EventIdStore | undefined,
    webhookDedupTtlSec: ttl,
    webhookLeaseSec: lease,
  };
}

/** One secret, or several while rotating: each used exactly as given, prefix and all, as Affilync's own example does. */
function webhookKeys(raw: unknown, add: Add): KeyObject[] {
  if (raw === undefined) return [];
  const path = 'incoming.webhookSecret';
  const list = Array.isArray(raw) ? raw : [raw];
  if (Array.isArray(raw) && (raw.length === 0 || raw.length > MAX_SECRETS)) {
    add(path, `must list 1 to ${MAX_SECRETS} secrets (leave it out when no webhook is received)`);
    return [];
  }
  const problems = list.flatMap((s, i) => (typeof s === 'string' && s.length >= MIN_SECRET_LENGTH ? [] : [Array.isArray(raw) ? `${path}[${i}]` : path]));
  for (const p of problems) add(p, `must be a webhook signing secret, a string of at least ${MIN_SECRET_LENGTH} characters`);
  if (new Set(list).size !== list.length) add(path, 'lists the same secret twice');
  return problems.length > 0 ? [] : (list as string[]).map((s) => createSecretKey(Buffer.from(s, 'utf8')));
}
