import { Controller, Post } from '@nestjs/common';
import { AffilyncEvent, AffilyncWebhook, type AffilyncWebhookDelivery } from 'nest-provider-auth';

@Controller('webhooks')
export class WebhooksController {
  @AffilyncWebhook()
  @Post('affilync')
  receive(@AffilyncEvent() event: AffilyncWebhookDelivery) {
    return { handled: event.id };
  }
}
