import { Controller, Logger, Post } from '@nestjs/common';
import { AffilyncEvent, AffilyncWebhook, isKnownAffilyncEvent, type AffilyncWebhookDelivery } from '../lib/index.js';

/**
 * Affilync's signed events. @AffilyncWebhook(): public, the signature checked over the raw body,
 * the envelope read, each event handled once by its evt_ id; then ConversionEvents' handler runs.
 */
@Controller('webhooks')
export class WebhooksController {
  private readonly logger = new Logger('Webhooks');

  @AffilyncWebhook()
  @Post('affilync')
  receive(@AffilyncEvent() event: AffilyncWebhookDelivery) {
    const kind = isKnownAffilyncEvent(event) ? event.event : `${event.event} (not in Affilync's docs)`;
    this.logger.log(`Affilync event ${kind} (${event.id})`);
    return { received: true };
  }
}
