import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ProviderAuthModuleOptions } from './provider-auth.options.js';

/** Builder extras: decided when the module is defined, before async options resolve. */
export interface ProviderAuthModuleExtras {
  /** Make the clients injectable in every module without importing ProviderAuthModule again. */
  isGlobal?: boolean;
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
  .setExtras<ProviderAuthModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** Implemented by a class given to `forRootAsync({ useClass })`. */
export interface ProviderAuthOptionsFactory {
  createProviderAuthOptions(): ProviderAuthModuleOptions | Promise<ProviderAuthModuleOptions>;
}
