import { setTimeout as sleep } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { TokenService } from '../index.js';
import { AccessTokenLedger } from './access-token-ledger.js';
import { ConvertlyAffiliatesController } from './convertly-affiliates.controller.js';
import { ConvertlyAuthController } from './convertly-auth.controller.js';
import { ConvertlyData } from './convertly-data.js';
import { ConvertlyDiscountsController } from './convertly-discounts.controller.js';
import { ConvertlyProfile } from './convertly-profile.js';
import { emulatedProviderModule } from './emulator-module.js';
import type { UserDirectory } from './emulator-users.js';
import type { FaultQueue } from './faults.js';
import { ProviderServer } from './provider-server.js';
import type { RateLimitRule } from './rate-limit-rules.js';

@Module({})
class ConvertlyEmulatorModule {}

/** help.convertlyhq.com's endpoints (PROVIDERS.md §2.8), plus the emulator's own /v1/discounts. */
const CONTROLLERS = [ConvertlyAuthController, ConvertlyAffiliatesController, ConvertlyDiscountsController];

/** Convertly under /v1, with what the emulator's owner may do to it. */
export class ConvertlyApp {
  private constructor(
    readonly server: ProviderServer,
    private readonly users: UserDirectory,
    /** The creators and discounts it serves. */
    readonly data: ConvertlyData,
  ) {}

  static async start(users: UserDirectory, ttlSec: number, faults: FaultQueue, rateLimit: RateLimitRule | undefined): Promise<ConvertlyApp> {
    const data = new ConvertlyData();
    const spec = {
      module: ConvertlyEmulatorModule,
      provider: 'convertly' as const,
      controllers: CONTROLLERS,
      providers: [{ provide: ConvertlyData, useValue: data }],
    };
    const server = await ProviderServer.start(
      emulatedProviderModule(spec, users, new AccessTokenLedger(ttlSec), ttlSec),
      new ConvertlyProfile(),
      faults,
      rateLimit,
    );
    return new ConvertlyApp(server, users, data);
  }

  /** Every token of every user issued so far is refused; a login after this resolves works. */
  async revokeAccessTokens(): Promise<void> {
    const tokens = this.server.get(TokenService);
    await Promise.all(this.users.all().map((u) => tokens.revokeAllForUser(u.id)));
    // revokeAllForUser refuses tokens by iat, in whole seconds: one issued later in this same
    // second would be refused too. Resolve only when that second is over.
    await sleep(1000 - (Date.now() % 1000));
  }
}
