import { Module, type DynamicModule } from '@nestjs/common';
import { ProviderAuthModule, type ProviderAuthModuleOptions } from '../lib/index.js';
import { ApiKeysController } from './api-keys.controller.js';
import { AuthController } from './auth.controller.js';
import { CampaignsController } from './campaigns.controller.js';
import { OverviewController } from './overview.controller.js';
import { WebhooksController } from './webhooks.controller.js';
import { OverviewService } from './overview.service.js';
import { ConversionEvents } from './conversion-events.js';
import { DemoController } from './demo.controller.js';

@Module({})
export class AppModule {
  /**
   * `options` must include `incoming`: every route is guarded unless @Public(). `demo` (only on the
   * embedded emulator) adds POST /demo/conversion.
   */
  static forProviders(options: ProviderAuthModuleOptions, { demo = false }: { demo?: boolean } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [ProviderAuthModule.forRoot({ ...options, globalGuard: true })],
      controllers: [OverviewController, AuthController, ApiKeysController, CampaignsController, WebhooksController, ...(demo ? [DemoController] : [])],
      providers: [OverviewService, ConversionEvents],
    };
  }
}
