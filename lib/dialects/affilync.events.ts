import type {
  AffiliateId,
  AffilyncEventId,
  AffilyncWebhookEventName,
  CallId,
  CallOutcome,
  CampaignId,
  ConversionEventType,
  ConversionId,
  IsoDateTime,
} from './affilync.types.js';
import type { Money } from './money.js';

/**
 * The events Affilync delivers to a registered webhook (api/webhooks; PROVIDERS.md §1.7): the
 * envelope `{ id, event, created_at, data }`, typed per documented event name. Only
 * `conversion.created` has its `data` shown in the docs (and `call.completed` names two of its
 * fields); every other `data` is NOT DOCUMENTED and typed as what it is, an object of unknown fields.
 */

/** The envelope every delivery has. */
export interface AffilyncEventEnvelope<N extends string, D> {
  /** `evt_…`: the same for every delivery (and retry) of one event; what de-duplication keys on. */
  id: AffilyncEventId;
  event: N;
  /** ISO 8601. */
  created_at: IsoDateTime;
  data: D;
}

/** Fields the docs do not show: present or not, of any type. */
export type UndocumentedEventData = Readonly<Record<string, unknown>>;

/** `conversion.created`, as the docs' example shows it. Money is a decimal string. */
export interface ConversionCreatedData {
  conversion_id: ConversionId;
  campaign_id: CampaignId;
  affiliate_id: AffiliateId;
  /** The conversion's event type, e.g. `sale`. */
  type: ConversionEventType | (string & {});
  /** The affiliate's commission, e.g. `"25.00"`. */
  commission: Money;
  /** The order's value, e.g. `"149.99"`. */
  order_value: Money;
  readonly [field: string]: unknown;
}

/** `call.completed`: the docs say the payload includes the duration (unit NOT DOCUMENTED) and the outcome. */
export interface CallCompletedData {
  call_id?: CallId;
  duration?: number;
  outcome?: CallOutcome;
  readonly [field: string]: unknown;
}

export type ClickCreatedEvent = AffilyncEventEnvelope<'click.created', UndocumentedEventData>;
export type ConversionCreatedEvent = AffilyncEventEnvelope<'conversion.created', ConversionCreatedData>;
export type ConversionApprovedEvent = AffilyncEventEnvelope<'conversion.approved', UndocumentedEventData>;
export type ConversionRejectedEvent = AffilyncEventEnvelope<'conversion.rejected', UndocumentedEventData>;
export type CallStartedEvent = AffilyncEventEnvelope<'call.started', UndocumentedEventData>;
export type CallCompletedEvent = AffilyncEventEnvelope<'call.completed', CallCompletedData>;
export type AffiliateAppliedEvent = AffilyncEventEnvelope<'affiliate.applied', UndocumentedEventData>;
export type AffiliateApprovedEvent = AffilyncEventEnvelope<'affiliate.approved', UndocumentedEventData>;
export type PayoutCompletedEvent = AffilyncEventEnvelope<'payout.completed', UndocumentedEventData>;
export type CampaignUpdatedEvent = AffilyncEventEnvelope<'campaign.updated', UndocumentedEventData>;

/**
 * One of the ten documented events, discriminated on `event`:
 *
 * @example
 * switch (e.event) {
 *   case 'conversion.created': return toMinorUnits(e.data.commission);
 *   case 'call.completed': return e.data.outcome;
 * }
 */
export type AffilyncWebhookEvent =
  | ClickCreatedEvent
  | ConversionCreatedEvent
  | ConversionApprovedEvent
  | ConversionRejectedEvent
  | CallStartedEvent
  | CallCompletedEvent
  | AffiliateAppliedEvent
  | AffiliateApprovedEvent
  | PayoutCompletedEvent
  | CampaignUpdatedEvent;

/** The documented event of that name: `AffilyncEventOf<'conversion.created'>`. */
export type AffilyncEventOf<N extends AffilyncWebhookEventName> = Extract<AffilyncWebhookEvent, { event: N }>;

/**
 * A signed, well-formed delivery whose `event` is none of the documented names (one Affilync added
 * later, say). It is delivered, not dropped: tell it apart with isKnownAffilyncEvent().
 */
export type UnknownAffilyncWebhookEvent = AffilyncEventEnvelope<string, UndocumentedEventData>;

/** What a webhook route receives: a documented event, or an unknown one. */
export type AffilyncWebhookDelivery = AffilyncWebhookEvent | UnknownAffilyncWebhookEvent;
