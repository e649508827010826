import { AFFILYNC_RESOURCES } from '../dialects/affilync.endpoints.js';
import type { AffilyncWebhookDelivery, AffilyncWebhookEvent } from '../dialects/affilync.events.js';

const KNOWN_EVENTS: ReadonlySet<string> = new Set(AFFILYNC_RESOURCES.webhookEvents);

/** An event id is a store key: printable, no spaces, and short. The `evt_` prefix is documented, not enforced (as for every id). */
const EVENT_ID = /^[\x21-\x7e]{1,256}$/;
/** `conversion.created`, and names Affilync may add: lower-case words joined by dots. */
const EVENT_NAME = /^[a-z0-9_]+(\.[a-z0-9_]+){1,4}$/;
const MAX_EVENT_NAME = 100;

/**
 * Whether a delivery is one of the ten documented events (its `data` typed), not one Affilync
 * added since.
 *
 * @example if (isKnownAffilyncEvent(event) && event.event === 'conversion.created') { … event.data.commission … }
 */
export function isKnownAffilyncEvent(event: AffilyncWebhookDelivery): event is AffilyncWebhookEvent {
  return KNOWN_EVENTS.has(event.event);
}

/**
 * The envelope `{ id, event, created_at, data }` read from a signed body, or undefined when the body
 * is not one (not JSON, not an object, a field missing or of the wrong type). The delivery is
 * returned as sent, unknown fields included; nothing is quoted from a body that fails.
 */
export function parseAffilyncEnvelope(raw: Buffer): AffilyncWebhookDelivery | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(body)) return undefined;
  const { id, event, created_at, data } = body;
  if (typeof id !== 'string' || !EVENT_ID.test(id)) return undefined;
  if (typeof event !== 'string' || event.length > MAX_EVENT_NAME || !EVENT_NAME.test(event)) return undefined;
  if (typeof created_at !== 'string' || Number.isNaN(Date.parse(created_at))) return undefined;
  if (!isObject(data)) return undefined;
  return body as unknown as AffilyncWebhookDelivery;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
