import { DynamicModule, Module } from '@nestjs/common';
import { ProviderAuthModule, type ProviderAuthModuleOptions } from 'nest-provider-auth';
import { CampaignsController } from './campaigns.controller';
import { WebhooksController } from './webhooks.controller';

@Module({})
export class AppModule {
  /** The provider blocks come from outside: the emulator in tests, your secrets in production. */
  static register(providers: Pick<ProviderAuthModuleOptions, 'affilync' | 'convertly'>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ProviderAuthModule.forRoot({
          ...providers,
          globalGuard: true,
          incoming: { jwtSecret: process.env.JWT_SECRET ?? 'a-nest-11-app-secret-that-is-long-enough', webhookSecret: process.env.AFFILYNC_WEBHOOK_SECRET ?? 'whsec_a_nest_app_demo_secret' },
        }),
      ],
      controllers: [CampaignsController, WebhooksController],
    };
  }
}
