import { Injectable, Logger } from '@nestjs/common';
import { OnAffilyncEvent, type AffilyncEventOf } from '../lib/index.js';

/** A handler per event, found at bootstrap; runs after the webhook route for each conversion.created. */
@Injectable()
export class ConversionEvents {
  private readonly logger = new Logger('Conversions');

  @OnAffilyncEvent('conversion.created')
  onConversion(event: AffilyncEventOf<'conversion.created'>) {
    // Money arrives as decimal strings, never numbers.
    this.logger.log(`Conversion ${event.data.conversion_id}: commission ${event.data.commission} on an order of ${event.data.order_value}`);
  }
}
