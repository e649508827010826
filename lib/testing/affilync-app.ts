import { Module } from '@nestjs/common';
import { AFFILYNC, ApiKeyService, TokenService } from '../index.js';
import { AccessTokenLedger } from './access-token-ledger.js';
import { AffilyncAuthController } from './affilync-auth.controller.js';
import { AffilyncCallTrackingController } from './affilync-call-tracking.controller.js';
import { AffilyncCampaignsController } from './affilync-campaigns.controller.js';
import { AffilyncCommissionsController, AffilyncEarningsController } from './affilync-commissions.controller.js';
import { AffilyncConversionsController } from './affilync-conversions.controller.js';
import { AffilyncData } from './affilync-data.js';
import { AffilyncLinksController } from './affilync-links.controller.js';
import { AffilyncProfile } from './affilync-profile.js';
import { AffilyncWebhooksController } from './affilync-webhooks.controller.js';
import { emulatedProviderModule } from './emulator-module.js';
import type { UserDirectory } from './emulator-users.js';
import type { FaultQueue } from './faults.js';
import { ProviderServer } from './provider-server.js';
import type { RateLimitRule } from './rate-limit-rules.js';
import { WebhookDeliveries } from './webhook-deliveries.js';

/** Scopes an API key can carry (the dialect's catalogue). */
export const AFFILYNC_SCOPES = AFFILYNC.scopes;

@Module({})
class AffilyncEmulatorModule {}

/** Every endpoint of docs.affilync.com/api/* (PROVIDERS.md §1.8) but the postback, and nothing else. */
const CONTROLLERS = [
  AffilyncAuthController,
  AffilyncCampaignsController,
  AffilyncLinksController,
  AffilyncConversionsController,
  AffilyncCallTrackingController,
  AffilyncCommissionsController,
  AffilyncEarningsController,
  AffilyncWebhooksController,
];

/** Affilync under /api, with what the emulator's owner may do to it. */
export class AffilyncApp {
  /** API key → its id in ApiKeyService, for revocation. */
  private readonly keyIds = new Map<string, string>();

  private constructor(
    readonly server: ProviderServer,
    private readonly ledger: AccessTokenLedger,
    /** The campaigns, links, conversions, calls, commissions and webhooks it serves. */
    readonly data: AffilyncData,
    /** The events it sends to those webhooks. */
    readonly deliveries: WebhookDeliveries,
  ) {}

  static async start(
    users: UserDirectory,
    ttlSec: number,
    faults: FaultQueue,
    retryDelaysMs: readonly number[],
    rateLimit: RateLimitRule | undefined,
  ): Promise<AffilyncApp> {
    const ledger = new AccessTokenLedger(ttlSec);
    const data = new AffilyncData();
    const deliveries = new WebhookDeliveries(() => data.webhooks, { retryDelaysMs });
    const spec = {
      module: AffilyncEmulatorModule,
      provider: 'affilync' as const,
      controllers: CONTROLLERS,
      providers: [
        { provide: AffilyncData, useValue: data },
        { provide: WebhookDeliveries, useValue: deliveries },
      ],
    };
    const server = await ProviderServer.start(emulatedProviderModule(spec, users, ledger, ttlSec), new AffilyncProfile(), faults, rateLimit);
    return new AffilyncApp(server, ledger, data, deliveries);
  }

  async createApiKey(scopes: readonly string[]): Promise<string> {
    if (!Array.isArray(scopes)) throw new TypeError('ProviderEmulator.createApiKey: scopes must be an array of strings');
    const { id, key } = await this.server.get(ApiKeyService).create({ label: 'ProviderEmulator', scopes: [...scopes] });
    this.keyIds.set(key, id);
    return key;
  }

  async revokeApiKey(key: string): Promise<void> {
    const id = this.keyIds.get(key);
    if (id !== undefined) await this.server.get(ApiKeyService).revoke(id);
  }

  /**
   * Every access token issued so far, one by one. Not TokenService.revokeAllForUser(): that kills
   * the users' refresh tokens too, and Affilync's refresh tokens must survive (a client renews
   * with one after its access token is refused).
   */
  async revokeAccessTokens(): Promise<void> {
    const tokens = this.server.get(TokenService);
    await Promise.all(this.ledger.takeLive().map((t) => tokens.revokeAccessToken(t)));
  }
}
