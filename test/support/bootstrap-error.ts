import { Test } from '@nestjs/testing';
import { ProviderAuthModule, type IncomingOptions } from '../../lib/index.js';
import { CapturingLogger } from './capturing-logger.js';
import { secretAudit } from './secret-audit.js';

/**
 * What an app with these `incoming` options throws while starting (undefined when it starts). The
 * error goes to the secret audit: its text must never hold a secret.
 */
export async function incomingBootstrapError(incoming: IncomingOptions): Promise<Error | undefined> {
  const logger = new CapturingLogger();
  try {
    const mod = await Test.createTestingModule({ imports: [ProviderAuthModule.forRoot({ incoming })] })
      .setLogger(logger)
      .compile();
    const app = mod.createNestApplication({ logger });
    await app.init();
    await app.close();
    return undefined;
  } catch (e) {
    secretAudit.recordError('bootstrap', e);
    return e as Error;
  }
}
