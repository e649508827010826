import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ProviderAuthModule, TokenService } from '../index.js';
import { AccessTokenLedger, EMULATOR_CLOCK_TOLERANCE_SEC } from './access-token-ledger.js';
import { ConvertlyAffiliatesController } from './convertly-affiliates.controller.js';
import { ConvertlyAuthController } from './convertly-auth.controller.js';
import { ConvertlyDiscountsController } from './convertly-discounts.controller.js';
import { ConvertlyProfile } from './convertly-profile.js';
import { EmulatorGuard } from './emulator.guard.js';
import { UserDirectory } from './emulator-users.js';
import type { FaultQueue } from './faults.js';
import { ProviderServer } from './provider-server.js';

@Module({})
class ConvertlyEmulatorModule {}

/** Convertly as the library would serve it: its guard and its tokens, in Convertly's error shape. */
function convertlyModule(users: UserDirectory, ledger: AccessTokenLedger, ttlSec: number): DynamicModule {
  return {
    module: ConvertlyEmulatorModule,
    imports: [
      ProviderAuthModule.forRoot({
        incoming: {
          jwtSecret: randomBytes(32),
          errorFormat: 'convertly',
          realm: 'convertly',
          accessTokenTtlSec: ttlSec,
          clockToleranceSec: EMULATOR_CLOCK_TOLERANCE_SEC,
        },
      }),
    ],
    controllers: [ConvertlyAuthController, ConvertlyAffiliatesController, ConvertlyDiscountsController],
    providers: [
      { provide: UserDirectory, useValue: users },
      { provide: AccessTokenLedger, useValue: ledger },
      // Instead of globalGuard: true, the library's guard plus the plan gate and exact expiry.
      { provide: APP_GUARD, useClass: EmulatorGuard },
    ],
  };
}

/** Convertly under /v1, with what the emulator's owner may do to it. */
export class ConvertlyApp {
  private constructor(
    readonly server: ProviderServer,
    private readonly users: UserDirectory,
  ) {}

  static async start(users: UserDirectory, ttlSec: number, faults: FaultQueue): Promise<ConvertlyApp> {
    const server = await ProviderServer.start(convertlyModule(users, new AccessTokenLedger(ttlSec), ttlSec), new ConvertlyProfile(), faults);
    return new ConvertlyApp(server, users);
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
