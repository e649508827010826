import type { AffilyncAccount } from '../provider-auth.options.js';
import type { ProviderClientKit } from './client-factory.js';
import { ProviderClient, type ProviderClientCore } from './provider-client.js';
import {
  affilyncResources,
  type AffilyncCallTracking,
  type AffilyncCampaigns,
  type AffilyncCommissions,
  type AffilyncConversions,
  type AffilyncEarnings,
  type AffilyncLinks,
  type AffilyncWebhooks,
} from './resources/affilync.resources.js';

/**
 * The Affilync API, authenticated with an API key or by email/password with rotating refresh
 * tokens. Inject it by class. Documented endpoints have typed methods (`client.links.create({...})`);
 * anything else goes through paths relative to the base URL: `client.get('/campaigns')`.
 */
export class AffilyncClient extends ProviderClient {
  /** GET /campaigns, GET /campaigns/{id}/commission-tiers. */
  readonly campaigns: AffilyncCampaigns;
  /** GET /links, POST /links, POST /links/bulk. */
  readonly links: AffilyncLinks;
  /** POST /conversions/track. */
  readonly conversions: AffilyncConversions;
  /** /call-tracking/numbers and /call-tracking/calls. */
  readonly callTracking: AffilyncCallTracking;
  /** GET /commissions, GET /commissions/{id}. */
  readonly commissions: AffilyncCommissions;
  /** GET /affiliate/earnings/summary. */
  readonly earnings: AffilyncEarnings;
  /** POST /webhooks. */
  readonly webhooks: AffilyncWebhooks;

  constructor(kit: ProviderClientKit | undefined, block: string, core?: ProviderClientCore) {
    super(kit, block, core);
    // Built from this instance, so every client (an account's too) has the same methods on its own credentials.
    const r = affilyncResources(this);
    this.campaigns = r.campaigns;
    this.links = r.links;
    this.conversions = r.conversions;
    this.callTracking = r.callTracking;
    this.commissions = r.commissions;
    this.earnings = r.earnings;
    this.webhooks = r.webhooks;
  }

  /**
   * The same client for another Affilync account (an API key, or a login), with tokens, renewals
   * and rate budget of its own; the module keeps up to `accountsCacheSize` of them ready.
   *
   * @example
   * const campaigns = await affilync.forAccount({ apiKey: brand.affilyncKey }).campaigns.list();
   */
  forAccount(credentials: AffilyncAccount): AffilyncClient {
    return this.accountClient(credentials, (core) => new AffilyncClient(this.kit, this.block, core));
  }
}
