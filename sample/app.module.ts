import { Module, type DynamicModule } from '@nestjs/common';
import { ProviderAuthModule, type ProviderAuthModuleOptions } from '../lib/index.js';
import { OverviewController } from './overview.controller.js';
import { OverviewService } from './overview.service.js';

@Module({})
export class AppModule {
  static forProviders(options: ProviderAuthModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [ProviderAuthModule.forRoot(options)],
      controllers: [OverviewController],
      providers: [OverviewService],
    };
  }
}
