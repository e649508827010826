import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ProviderAuthGuard } from './incoming/provider-auth.guard.js';
import type { ProviderAuthModuleOptions } from './provider-auth.options.js';

/** Builder extras: decided when the module is defined, before async options resolve. */
export interface ProviderAuthModuleExtras {
  /** Make the clients injectable in every module without importing ProviderAuthModule again. */
  isGlobal?: boolean;
  /**
   * Register ProviderAuthGuard app-wide (APP_GUARD): every route needs a valid credential unless
   * marked @Public(). An extra because APP_GUARD must be known before async options resolve.
   */
  globalGuard?: boolean;
}

export const {
  ConfigurableModuleClass: ProviderAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: PROVIDER_AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: PROVIDER_AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PROVIDER_AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ProviderAuthModuleOptions>({ moduleName: 'ProviderAuth' })
  .setClassMethodName('forRoot')
  // A class given to forRootAsync({ useClass }) implements this method.
  .setFactoryMethodName('createProviderAuthOptions')
  .setExtras<ProviderAuthModuleExtras>({ isGlobal: false, globalGuard: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: extras.globalGuard ? [...(definition.providers ?? []), { provide: APP_GUARD, useClass: ProviderAuthGuard }] : definition.providers,
  }))
  .build();

/** Implemented by a class given to `forRootAsync({ useClass })`. */
export interface ProviderAuthOptionsFactory {
  createProviderAuthOptions(): ProviderAuthModuleOptions | Promise<ProviderAuthModuleOptions>;
}
