/**
 * The seeded data of the emulated providers: the same on every start and after every reset().
 * Fixed dates (early 2026), ids with Affilync's documented prefixes numbered from 001, money as
 * decimal strings. Each call returns new frozen records in new arrays.
 */
import { CALL_OUTCOMES, COMMISSION_STATUSES, CREATOR_STATUSES } from './affilync-vocabulary.js';
import type {
  AffilyncCommissionStatus,
  AffilyncConversionStatus,
  AffilyncEventType,
  AffilyncNumberType,
  EmulatedCall,
  EmulatedCallNumber,
  EmulatedCampaign,
  EmulatedClick,
  EmulatedCommission,
  EmulatedCommissionTier,
  EmulatedConversion,
  EmulatedCreator,
  EmulatedDiscount,
  EmulatedLink,
  RegisteredWebhook,
} from './emulator-state.js';
import { formatCents, percentOf } from './money.js';

export const AFFILYNC_LINK_COUNT = 250;
/** Every tenth seeded link (lnk_010, lnk_020, …) is deactivated. */
export const AFFILYNC_DEACTIVATED_EVERY = 10;
export const AFFILYNC_CONVERSION_COUNT = 120;
export const AFFILYNC_CALL_COUNT = 90;
export const CONVERTLY_AFFILIATE_COUNT = 57;

/** Where the seeded timeline starts. */
const EPOCH_MS = Date.parse('2026-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;

/** An id with its number padded to three digits: seqId('lnk', 7) → 'lnk_007'. */
export function seqId(prefix: string, n: number, digits = 3): string {
  return `${prefix}_${String(n).padStart(digits, '0')}`;
}

/** An ISO time without milliseconds, as in the docs' examples ("2026-03-21T15:00:00Z"). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const at = (hours: number) => isoSeconds(EPOCH_MS + hours * HOUR_MS);

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The code in a link's tracking and short URLs. */
export function linkCode(n: number): string {
  return `k${(n * 7919).toString(36).padStart(6, '0')}`;
}

export function trackingUrls(n: number): { tracking_url: string; short_url: string } {
  const code = linkCode(n);
  return { tracking_url: `https://track.affilync.com/c/${code}`, short_url: `https://afl.ink/${code}` };
}

export interface AffilyncSeed {
  campaigns: EmulatedCampaign[];
  commissionTiers: Record<string, EmulatedCommissionTier[]>;
  links: EmulatedLink[];
  clicks: EmulatedClick[];
  conversions: EmulatedConversion[];
  callNumbers: EmulatedCallNumber[];
  calls: EmulatedCall[];
  commissions: EmulatedCommission[];
  webhooks: RegisteredWebhook[];
}

export interface ConvertlySeed {
  affiliates: EmulatedCreator[];
  discounts: EmulatedDiscount[];
}

const CAMPAIGNS: [name: string, landingPage: string, tiers: [minConversions: number, rate: string][]][] = [
  [
    'Spring Sale',
    'https://brand.example/spring-sale',
    [
      [0, '10.00'],
      [50, '12.50'],
      [200, '15.00'],
    ],
  ],
  [
    'Summer Launch',
    'https://brand.example/summer',
    [
      [0, '8.00'],
      [100, '10.00'],
    ],
  ],
  ['Evergreen Partners', 'https://brand.example/partners', [[0, '20.00']]],
];

/** Affilync affiliates referenced by links, clicks, conversions and commissions (no route lists them). */
const AFFILIATES = 12;

const EVENT_TYPES: AffilyncEventType[] = ['sale', 'sale', 'sale', 'lead', 'signup', 'trial'];
const CONVERSION_STATUS: Record<AffilyncCommissionStatus, AffilyncConversionStatus> = {
  pending: 'pending',
  approved: 'approved',
  paid: 'approved',
  cancelled: 'rejected',
  reversed: 'rejected',
};
const NUMBERS: [type: AffilyncNumberType, areaCode: string, displayName: string | null, campaign: number | null][] = [
  ['local', '512', 'Austin Sales', 1],
  ['local', '415', 'Bay Area Support', 2],
  ['toll_free', '800', 'National Line', 1],
  ['toll_free', '888', null, 3],
  ['vanity', '800', 'Flowers Hotline', 2],
  ['local', '212', 'New York Desk', null],
];

/** A number's E.164 form: +1, the area code, 555, then 0100 + its sequence number. */
export function phoneNumber(areaCode: string, n: number): string {
  return `+1${areaCode}555${String(100 + n).padStart(4, '0')}`;
}

export function affilyncSeed(): AffilyncSeed {
  const campaigns = CAMPAIGNS.map(([name], i) => ({ id: seqId('camp', i + 1), name, status: 'active' as const, created_at: at(-24 * (30 - i)) }));
  const commissionTiers = Object.fromEntries(
    CAMPAIGNS.map(([, , tiers], i) => [campaigns[i].id, tiers.map(([min_conversions, rate], t) => ({ tier: t + 1, min_conversions, rate }))]),
  );

  const links: EmulatedLink[] = [];
  const clicks: EmulatedClick[] = [];
  for (let n = 1; n <= AFFILYNC_LINK_COUNT; n++) {
    const c = (n - 1) % campaigns.length;
    const link: EmulatedLink = {
      id: seqId('lnk', n),
      campaign_id: campaigns[c].id,
      affiliate_id: seqId('aff', ((n - 1) % AFFILIATES) + 1),
      status: n % AFFILYNC_DEACTIVATED_EVERY === 0 ? 'deactivated' : 'active',
      ...trackingUrls(n),
      landing_page_url: n % 2 === 1 ? CAMPAIGNS[c][1] : null,
      sub_id_1: n % 5 === 0 ? `sub_${n}` : null,
      sub_id_2: n % 25 === 0 ? 'newsletter' : null,
      sub_id_3: null,
      created_at: at(8 * n),
    };
    links.push(link);
    // One click per link, half an hour after it was made: clk_001 on lnk_001, and so on.
    clicks.push({ id: seqId('clk', n), link_id: link.id, campaign_id: link.campaign_id, affiliate_id: link.affiliate_id, created_at: at(8 * n + 0.5) });
  }

  const conversions: EmulatedConversion[] = [];
  const commissions: EmulatedCommission[] = [];
  for (let n = 1; n <= AFFILYNC_CONVERSION_COUNT; n++) {
    const click = clicks[n - 1];
    const cents = 1_999n + BigInt((n * 7_919) % 20_000);
    const rate = commissionTiers[click.campaign_id][0].rate;
    const commission = formatCents(percentOf(cents, rate));
    const status = COMMISSION_STATUSES[(n - 1) % COMMISSION_STATUSES.length];
    const created_at = at(8 * n + 2);
    const conversion: EmulatedConversion = {
      id: seqId('conv', n),
      click_id: click.id,
      order_id: `ORD-${1000 + n}`,
      amount: formatCents(cents),
      currency: 'USD',
      event_type: EVENT_TYPES[n % EVENT_TYPES.length],
      customer_email: n % 3 === 0 ? `customer${n}@shopper.example` : null,
      metadata: {},
      link_id: click.link_id,
      campaign_id: click.campaign_id,
      affiliate_id: click.affiliate_id,
      commission,
      status: CONVERSION_STATUS[status],
      created_at,
    };
    conversions.push(conversion);
    commissions.push({
      id: seqId('comm', n),
      conversion_id: conversion.id,
      campaign_id: conversion.campaign_id,
      affiliate_id: conversion.affiliate_id,
      amount: commission,
      currency: conversion.currency,
      status,
      created_at,
    });
  }

  const callNumbers = NUMBERS.map(([type, area_code, display_name, campaign], i) => ({
    id: seqId('num', i + 1),
    type,
    phone_number: phoneNumber(area_code, i + 1),
    area_code,
    display_name,
    campaign_id: campaign === null ? null : campaigns[campaign - 1].id,
    status: 'active' as const,
    created_at: at(-24 * 20 + i),
  }));

  const calls: EmulatedCall[] = [];
  for (let n = 1; n <= AFFILYNC_CALL_COUNT; n++) {
    const number = callNumbers[(n - 1) % callNumbers.length];
    const outcome = CALL_OUTCOMES[(n - 1) % CALL_OUTCOMES.length];
    const duration = outcome === 'abandoned' ? 3 + (n % 20) : outcome === 'voicemail' ? 30 + (n % 40) : 60 + ((n * 37) % 600);
    calls.push({
      id: seqId('call', n),
      number_id: number.id,
      campaign_id: number.campaign_id,
      caller_number: `+1303555${String(1000 + n)}`,
      duration,
      outcome,
      created_at: at(20 * n + 9),
    });
  }

  return deepFreezeRecords({ campaigns, commissionTiers, links, clicks, conversions, callNumbers, calls, commissions, webhooks: [] });
}

export function convertlySeed(): ConvertlySeed {
  const affiliates = Array.from({ length: CONVERTLY_AFFILIATE_COUNT }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return {
      // Convertly documents no id prefix; its docs' example cursor decodes to {"id":"def456"}.
      id: `def${String(i + 1).padStart(3, '0')}`,
      name: `Creator ${n}`,
      email: `creator${n}@creators.example`,
      status: CREATOR_STATUSES[i % CREATOR_STATUSES.length],
      createdAt: at(24 * i + 10),
    };
  });
  const discounts: EmulatedDiscount[] = [{ id: 'dsc_01', code: 'WELCOME10', type: 'percentage', value: '10.00' }];
  return deepFreezeRecords({ affiliates, discounts });
}

/** Freezes every record (and what it holds) but leaves the arrays and maps that hold them writable. */
function deepFreezeRecords<T extends object>(seed: T): T {
  for (const collection of Object.values(seed)) {
    for (const record of Object.values(collection as object)) deepFreeze(record);
  }
  return seed;
}
