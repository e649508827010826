/**
 * What must not compile: each `@ts-expect-error` must meet an assignability error on its next line
 * (test/resources-typing.e2e-spec.ts checks which).
 */
import { AffilyncClient, ConvertlyClient, toMinorUnits, type Money } from 'nest-provider-auth';

export async function mistakes(affilync: AffilyncClient, convertly: ConvertlyClient): Promise<void> {
  // @ts-expect-error 'paused' is not a link status
  await affilync.links.list({ status: 'paused' });

  // @ts-expect-error money is a decimal string, never a number
  await affilync.conversions.track({ click_id: 'clk_1', order_id: 'o1', amount: 149.99 });

  // @ts-expect-error 'purchase' is not an event type
  await affilync.conversions.track({ click_id: 'clk_1', order_id: 'o1', amount: '149.99', event_type: 'purchase' });

  // @ts-expect-error 'mobile' is not a tracking number type
  await affilync.callTracking.numbers.create({ type: 'mobile' });

  // @ts-expect-error 'missed' is not a call outcome
  await affilync.callTracking.calls.list({ outcome: 'missed' });

  // @ts-expect-error 'refunded' is not a commission status
  await affilync.commissions.list({ status: 'refunded' });

  // @ts-expect-error 'order.paid' is not an Affilync webhook event
  await affilync.webhooks.create({ url: 'https://app.example/h', events: ['order.paid'], secret: 'whsec_x' });

  // @ts-expect-error a link id is not a campaign id
  await affilync.links.create({ campaign_id: 'lnk_1' });

  // @ts-expect-error no filter is documented for Convertly's affiliates
  await convertly.affiliates.list({ status: 'active' });

  // @ts-expect-error a number is not Money
  const price: Money = 25;

  // @ts-expect-error toMinorUnits takes the decimal string
  toMinorUnits(25.5);

  const summary = await affilync.earnings.summary();
  // @ts-expect-error Money is a string: no arithmetic without toMinorUnits
  const doubled: number = summary.pending * 2;

  void [price, doubled];
}
