import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AffilyncWebhookDelivery } from '../dialects/affilync.events.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';

/** Where an @AffilyncWebhook() route keeps the verified event on the request (one key for the ESM and CommonJS builds). */
const DELIVERY = Symbol.for('nest-provider-auth:affilync-delivery');

type WithDelivery = { [DELIVERY]?: AffilyncWebhookDelivery };

export function setDelivery(req: object, event: AffilyncWebhookDelivery): void {
  (req as WithDelivery)[DELIVERY] = event;
}

/**
 * The verified, de-duplicated event of an @AffilyncWebhook() route: one of the documented events
 * (typed on `event`) or, for a name the docs do not list, an unknown one (see isKnownAffilyncEvent).
 * Frozen: the route and every handler see the same event.
 *
 * @example receive(@AffilyncEvent() event: AffilyncWebhookDelivery) { … }
 */
export const AffilyncEvent = createParamDecorator((_data: unknown, context: ExecutionContext): AffilyncWebhookDelivery => {
  const event = (context.switchToHttp().getRequest<WithDelivery>() ?? {})[DELIVERY];
  if (!event) {
    throw new ProviderAuthConfigError([{ path: '@AffilyncEvent()', problem: 'is used on a route without @AffilyncWebhook(); add it to the method' }]);
  }
  return event;
});
