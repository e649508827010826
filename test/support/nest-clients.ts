import { Test, type TestingModule } from '@nestjs/testing';
import { CapturingLogger } from './capturing-logger.js';
import { AffilyncClient, ConvertlyClient, ProviderAuthModule, type ProviderAuthModuleOptions } from '../../lib/index.js';

export interface Clients {
  module: TestingModule;
  affilync: AffilyncClient;
  convertly: ConvertlyClient;
  logger: CapturingLogger;
  close(): Promise<void>;
}

/** A real Nest application context with the module, as a user's app would import it. */
export async function startClients(options: ProviderAuthModuleOptions): Promise<Clients> {
  const logger = new CapturingLogger();
  const module = await Test.createTestingModule({ imports: [ProviderAuthModule.forRoot(options)] })
    .setLogger(logger)
    .compile();
  module.useLogger(logger);
  await module.init();
  return {
    module,
    affilync: module.get(AffilyncClient),
    convertly: module.get(ConvertlyClient),
    logger,
    close: () => module.close(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
