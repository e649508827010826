import { Reflector } from '@nestjs/core';
import { AFFILYNC_RESOURCES } from '../dialects/affilync.endpoints.js';
import type { AffilyncWebhookEventName } from '../dialects/affilync.types.js';

/** The event names a method handles (fixed key: one metadata for the ESM and CommonJS builds). */
export const OnAffilyncEventMetadata = Reflector.createDecorator<readonly AffilyncWebhookEventName[]>({
  key: 'nest-provider-auth:on-affilync-event',
  transform: (names) => [...(names ?? [])],
});

const KNOWN: ReadonlySet<string> = new Set(AFFILYNC_RESOURCES.webhookEvents);

/**
 * Runs the method for every handled delivery of these events, after the @AffilyncWebhook() route's
 * own method: on any provider (singleton), discovered at bootstrap. The method gets the typed event;
 * if it throws, the delivery fails (5xx) and its id is released, so Affilync's retry runs the route
 * and every handler again.
 *
 * @example
 * @OnAffilyncEvent('conversion.created')
 * async onConversion(event: AffilyncEventOf<'conversion.created'>) { … event.data.commission … }
 */
export function OnAffilyncEvent(...names: [AffilyncWebhookEventName, ...AffilyncWebhookEventName[]]): MethodDecorator {
  if (names.length === 0) throw new TypeError('@OnAffilyncEvent() needs at least one event name');
  for (const name of names) {
    if (!KNOWN.has(name)) {
      throw new TypeError(`@OnAffilyncEvent(): '${String(name)}' is not a documented Affilync event (${[...KNOWN].join(', ')})`);
    }
  }
  return OnAffilyncEventMetadata(names);
}
