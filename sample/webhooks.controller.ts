import { Body, Controller, HttpCode, Logger, Post, UseGuards } from '@nestjs/common';
import { AffilyncWebhookGuard, Public } from '../lib/index.js';

/** Affilync's signed events; the handler only runs for a body whose signature checks out. */
@Controller('webhooks')
export class WebhooksController {
  private readonly logger = new Logger('Webhooks');

  @Public()
  @UseGuards(AffilyncWebhookGuard)
  @Post('affilync')
  @HttpCode(204)
  receive(@Body() event: { id?: string; event?: string }) {
    this.logger.log(`Affilync event ${event?.event} (${event?.id})`);
  }
}
