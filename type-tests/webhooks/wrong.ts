/**
 * What must not compile: each `@ts-expect-error` must meet an assignability error on its next line
 * (test/webhooks/typing.e2e-spec.ts checks which).
 */
import { OnAffilyncEvent, toMinorUnits, type AffilyncEventOf, type AffilyncWebhookDelivery, type AffilyncWebhookEvent } from 'nest-provider-auth';

export function mistakes(event: AffilyncWebhookDelivery, known: AffilyncWebhookEvent): void {
  // @ts-expect-error 'payout.failed' is not a documented event
  OnAffilyncEvent('payout.failed');

  if (known.event === 'conversion.created') {
    // @ts-expect-error money is a decimal string, never a number
    const commission: number = known.data.commission;
    void commission;
  }

  if (known.event === 'call.completed') {
    // @ts-expect-error 'answered' is not a documented call outcome
    const outcome: 'answered' | undefined = known.data.outcome;
    void outcome;
  }

  // @ts-expect-error without isKnownAffilyncEvent(), data's fields are unknown
  toMinorUnits(event.data.commission);

  // @ts-expect-error a click.created event is not a conversion.created one
  const conversion: AffilyncEventOf<'conversion.created'> = { id: 'evt_1', event: 'click.created', created_at: '2026-03-21T15:00:00Z', data: {} };
  void conversion;
}
