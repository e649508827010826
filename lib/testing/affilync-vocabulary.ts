/**
 * What the emulated routes validate against: the documented value lists come from lib/dialects/
 * (the same facts the clients check), and the emulator's own limits where the docs give none.
 */
import { AFFILYNC_RESOURCES, CONVERTLY_RESOURCES } from '../index.js';
import type {
  AffilyncCallOutcome,
  AffilyncCommissionStatus,
  AffilyncEventType,
  AffilyncLinkStatus,
  AffilyncNumberType,
  ConvertlyCreatorStatus,
} from './emulator-state.js';

const R = AFFILYNC_RESOURCES;

/** api/links: the `status` filter. */
export const LINK_STATUSES: readonly AffilyncLinkStatus[] = R.linkStatuses;
/** api/conversions: `event_type` (default `sale`). */
export const EVENT_TYPES: readonly AffilyncEventType[] = R.conversionEventTypes;
/** api/conversions: `currency` defaults to USD. */
export const DEFAULT_CURRENCY = R.defaultCurrency;
/** api/call-tracking: a number's `type`. */
export const NUMBER_TYPES: readonly AffilyncNumberType[] = R.trackingNumberTypes;
/** api/call-tracking: the `outcome` filter. */
export const CALL_OUTCOMES: readonly AffilyncCallOutcome[] = R.callOutcomes;
/** api/commissions: the `status` filter. */
export const COMMISSION_STATUSES: readonly AffilyncCommissionStatus[] = R.commissionStatuses;
/** api/webhooks: the events a webhook may subscribe to. */
export const WEBHOOK_EVENTS: readonly string[] = R.webhookEvents;
/** help.convertlyhq.com/brands/creators: a creator's status. */
export const CREATOR_STATUSES: readonly ConvertlyCreatorStatus[] = CONVERTLY_RESOURCES.creatorStatuses;

/** Not documented: the most links one POST /links/bulk may create (the same cap as per_page). */
export const MAX_BULK_LINKS = 100;
/** Not documented: links made through the API belong to the emulator's own affiliate account. */
export const ACCOUNT_AFFILIATE_ID = 'aff_001';
/** Not documented: the area code of a new number when none is asked for. */
export const DEFAULT_AREA_CODE: Readonly<Record<AffilyncNumberType, string>> = { local: '512', toll_free: '800', vanity: '800' };
/** Not documented: where recordings live (a reserved .test host: the emulator serves no audio). */
export const RECORDINGS_ORIGIN = 'https://recordings.affilync.test';
