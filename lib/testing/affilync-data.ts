import type {
  AffilyncEmulatorState,
  EmulatedCall,
  EmulatedCallNumber,
  EmulatedCampaign,
  EmulatedClick,
  EmulatedCommission,
  EmulatedCommissionTier,
  EmulatedConversion,
  EmulatedLink,
  EmulatedWebhook,
  RegisteredWebhook,
} from './emulator-state.js';
import { affilyncSeed, deepFreeze, seqId, type AffilyncSeed } from './fixtures.js';

/** The id prefixes of records that requests create. */
type CreatedPrefix = 'lnk' | 'conv' | 'comm' | 'num' | 'wh';

/**
 * What the emulated Affilync holds: the seed, plus what requests created. Records are frozen and
 * never change once stored, so a snapshot shares them; the collections are replaced by reset().
 */
export class AffilyncData {
  private data!: AffilyncSeed;
  /** Next number of each id prefix. */
  private next!: Record<CreatedPrefix, number>;

  constructor() {
    this.reset();
  }

  /** Back to the seed: created records are gone, numbering restarts after the seeded ids. */
  reset(): void {
    this.data = affilyncSeed();
    const d = this.data;
    this.next = { lnk: d.links.length + 1, conv: d.conversions.length + 1, comm: d.commissions.length + 1, num: d.callNumbers.length + 1, wh: 1 };
  }

  snapshot(): AffilyncEmulatorState {
    const d = this.data;
    return Object.freeze({
      campaigns: Object.freeze([...d.campaigns]),
      commissionTiers: Object.freeze({ ...d.commissionTiers }),
      links: Object.freeze([...d.links]),
      clicks: Object.freeze([...d.clicks]),
      conversions: Object.freeze([...d.conversions]),
      callNumbers: Object.freeze([...d.callNumbers]),
      calls: Object.freeze([...d.calls]),
      commissions: Object.freeze([...d.commissions]),
      webhooks: Object.freeze(d.webhooks.map(withoutSecret)),
    });
  }

  get campaigns(): readonly EmulatedCampaign[] {
    return this.data.campaigns;
  }
  get links(): readonly EmulatedLink[] {
    return this.data.links;
  }
  get conversions(): readonly EmulatedConversion[] {
    return this.data.conversions;
  }
  get callNumbers(): readonly EmulatedCallNumber[] {
    return this.data.callNumbers;
  }
  get calls(): readonly EmulatedCall[] {
    return this.data.calls;
  }
  get commissions(): readonly EmulatedCommission[] {
    return this.data.commissions;
  }
  /** With their secrets: for signing deliveries only. */
  get webhooks(): readonly RegisteredWebhook[] {
    return this.data.webhooks;
  }

  campaign(id: string): EmulatedCampaign | undefined {
    return this.data.campaigns.find((c) => c.id === id);
  }

  tiers(campaignId: string): readonly EmulatedCommissionTier[] | undefined {
    return Object.hasOwn(this.data.commissionTiers, campaignId) ? this.data.commissionTiers[campaignId] : undefined;
  }

  click(id: string): EmulatedClick | undefined {
    return this.data.clicks.find((c) => c.id === id);
  }

  /** Reserves the next id of a kind and its sequence number: nextId('lnk') → ['lnk_251', 251]. */
  nextId(prefix: CreatedPrefix): [id: string, n: number] {
    const n = this.next[prefix]++;
    return [seqId(prefix, n), n];
  }

  addLinks(links: EmulatedLink[]): void {
    this.data.links.push(...links.map(deepFreeze));
  }

  addConversion(conversion: EmulatedConversion, commission: EmulatedCommission): void {
    this.data.conversions.push(deepFreeze(conversion));
    this.data.commissions.push(deepFreeze(commission));
  }

  addCallNumber(number: EmulatedCallNumber): void {
    this.data.callNumbers.push(deepFreeze(number));
  }

  addWebhook(webhook: RegisteredWebhook): void {
    this.data.webhooks.push(deepFreeze(webhook));
  }
}

/** A webhook as `state` shows it: everything but the signing secret (a frozen copy). */
function withoutSecret({ secret: _secret, ...shown }: RegisteredWebhook): EmulatedWebhook {
  return Object.freeze({ ...shown, events: Object.freeze([...shown.events]) });
}
