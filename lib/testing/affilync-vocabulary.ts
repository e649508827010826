/**
 * The value lists of docs.affilync.com/api/* that the emulated routes validate against, and the
 * emulator's own limits where the docs give none. (Kept here rather than in lib/dialects/: only
 * the emulator checks them.)
 */
import type {
  AffilyncCallOutcome,
  AffilyncCommissionStatus,
  AffilyncEventType,
  AffilyncLinkStatus,
  AffilyncNumberType,
  ConvertlyCreatorStatus,
} from './emulator-state.js';

/** api/links: the `status` filter. */
export const LINK_STATUSES: readonly AffilyncLinkStatus[] = ['active', 'deactivated'];
/** api/conversions: `event_type` (default `sale`). */
export const EVENT_TYPES: readonly AffilyncEventType[] = ['sale', 'lead', 'signup', 'trial'];
/** api/conversions: `currency` defaults to USD. */
export const DEFAULT_CURRENCY = 'USD';
/** api/call-tracking: a number's `type`. */
export const NUMBER_TYPES: readonly AffilyncNumberType[] = ['local', 'toll_free', 'vanity'];
/** api/call-tracking: the `outcome` filter. */
export const CALL_OUTCOMES: readonly AffilyncCallOutcome[] = ['qualified', 'unqualified', 'voicemail', 'abandoned'];
/** api/commissions: the `status` filter. */
export const COMMISSION_STATUSES: readonly AffilyncCommissionStatus[] = ['pending', 'approved', 'paid', 'cancelled', 'reversed'];
/** api/webhooks: the events a webhook may subscribe to. */
export const WEBHOOK_EVENTS: readonly string[] = [
  'click.created',
  'conversion.created',
  'conversion.approved',
  'conversion.rejected',
  'call.started',
  'call.completed',
  'affiliate.applied',
  'affiliate.approved',
  'payout.completed',
  'campaign.updated',
];
/** help.convertlyhq.com/brands/creators: a creator's status. */
export const CREATOR_STATUSES: readonly ConvertlyCreatorStatus[] = ['active', 'pending', 'paused', 'rejected'];

/** Not documented: the most links one POST /links/bulk may create (the same cap as per_page). */
export const MAX_BULK_LINKS = 100;
/** Not documented: links made through the API belong to the emulator's own affiliate account. */
export const ACCOUNT_AFFILIATE_ID = 'aff_001';
/** Not documented: the area code of a new number when none is asked for. */
export const DEFAULT_AREA_CODE: Readonly<Record<AffilyncNumberType, string>> = { local: '512', toll_free: '800', vanity: '800' };
/** Not documented: where recordings live (a reserved .test host: the emulator serves no audio). */
export const RECORDINGS_ORIGIN = 'https://recordings.affilync.test';
