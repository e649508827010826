import { randomBytes } from 'node:crypto';
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ProviderAuthModule } from '../index.js';
import { AccessTokenLedger, EMULATOR_CLOCK_TOLERANCE_SEC } from './access-token-ledger.js';
import { EmulatorGuard } from './emulator.guard.js';
import { UserDirectory } from './emulator-users.js';

export interface EmulatedProviderSpec {
  /** A distinct module class per provider, so the two apps never share Nest's module tokens. */
  module: Type<unknown>;
  provider: 'affilync' | 'convertly';
  controllers: Type<unknown>[];
  /** The provider's data store, for its controllers. */
  providers: Provider[];
}

/**
 * One emulated provider as the library would serve it: its incoming half (a fresh secret, the
 * provider's error shape and realm), the emulator's guard on every route, and the shared users
 * and token ledger.
 */
export function emulatedProviderModule(spec: EmulatedProviderSpec, users: UserDirectory, ledger: AccessTokenLedger, ttlSec: number): DynamicModule {
  return {
    module: spec.module,
    imports: [
      ProviderAuthModule.forRoot({
        incoming: {
          jwtSecret: randomBytes(32),
          errorFormat: spec.provider,
          realm: spec.provider,
          accessTokenTtlSec: ttlSec,
          clockToleranceSec: EMULATOR_CLOCK_TOLERANCE_SEC,
        },
      }),
    ],
    controllers: spec.controllers,
    providers: [
      { provide: UserDirectory, useValue: users },
      { provide: AccessTokenLedger, useValue: ledger },
      // Instead of globalGuard: true, the library's guard plus the emulator's exact expiry and plan gate.
      { provide: APP_GUARD, useClass: EmulatorGuard },
      ...spec.providers,
    ],
  };
}
