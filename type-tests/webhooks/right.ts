/** What a user writes for webhooks, and must compile (test/webhooks/typing.e2e-spec.ts checks it). */
import { Controller, Injectable, Post } from '@nestjs/common';
import {
  AffilyncEvent,
  AffilyncWebhook,
  isKnownAffilyncEvent,
  OnAffilyncEvent,
  toMinorUnits,
  type AffilyncEventOf,
  type AffilyncWebhookDelivery,
  type CallOutcome,
  type Money,
} from 'nest-provider-auth';

@Controller('webhooks')
export class Hooks {
  @AffilyncWebhook()
  @Post('affilync')
  receive(@AffilyncEvent() event: AffilyncWebhookDelivery): number | string | undefined {
    if (!isKnownAffilyncEvent(event)) return event.event; // an unknown name: a string
    switch (event.event) {
      case 'conversion.created': {
        const commission: Money = event.data.commission;
        return toMinorUnits(commission) + toMinorUnits(event.data.order_value);
      }
      case 'call.completed': {
        const outcome: CallOutcome | undefined = event.data.outcome;
        return outcome;
      }
      default:
        // The other eight: data of unknown fields.
        return typeof event.data.anything === 'string' ? event.data.anything : undefined;
    }
  }
}

@Injectable()
export class Handlers {
  @OnAffilyncEvent('conversion.created')
  onConversion(event: AffilyncEventOf<'conversion.created'>): string {
    return `${event.id} ${event.data.conversion_id} ${event.data.campaign_id} ${event.data.affiliate_id} ${event.created_at}`;
  }

  @OnAffilyncEvent('conversion.approved', 'conversion.rejected')
  onReview(event: AffilyncEventOf<'conversion.approved' | 'conversion.rejected'>): 'conversion.approved' | 'conversion.rejected' {
    return event.event;
  }
}
