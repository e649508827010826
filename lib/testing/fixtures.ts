/** The fixed data the emulated providers serve. */

export interface AffilyncCampaign {
  id: string;
  name: string;
  status: 'active';
}

export interface AffilyncLink {
  id: string;
  campaign_id: string;
  status: 'active';
}

export interface ConvertlyAffiliate {
  id: string;
  name: string;
  status: 'active';
}

export const AFFILYNC_CAMPAIGNS: readonly AffilyncCampaign[] = Object.freeze(
  ['Spring Sale', 'Summer Launch', 'Evergreen Partners'].map((name, i) => Object.freeze({ id: `cmp_${i + 1}`, name, status: 'active' as const })),
);

export const AFFILYNC_LINK_COUNT = 250;

export const AFFILYNC_LINKS: readonly AffilyncLink[] = Object.freeze(
  Array.from({ length: AFFILYNC_LINK_COUNT }, (_, i) =>
    Object.freeze({
      id: `lnk_${String(i + 1).padStart(3, '0')}`,
      campaign_id: AFFILYNC_CAMPAIGNS[i % AFFILYNC_CAMPAIGNS.length].id,
      status: 'active' as const,
    }),
  ),
);

export const CONVERTLY_AFFILIATE_COUNT = 57;

export const CONVERTLY_AFFILIATES: readonly ConvertlyAffiliate[] = Object.freeze(
  Array.from({ length: CONVERTLY_AFFILIATE_COUNT }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return Object.freeze({ id: `aff_${n}`, name: `Affiliate ${n}`, status: 'active' as const });
  }),
);
