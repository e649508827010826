import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ProviderEmulator } from '../lib/testing/index.js';
import { AFFILYNC_RESOURCES, AffilyncClient, type ProviderAuthModuleOptions } from '../lib/index.js';
import { AppModule } from './app.module.js';
import { incomingOptions, webhookSecret } from './incoming-config.js';
import { realProviderOptions } from './provider-config.js';

async function bootstrap() {
  const logger = new Logger('Sample');
  let options: ProviderAuthModuleOptions;
  let emulator: ProviderEmulator | undefined;
  if (process.env.SAMPLE_PROVIDERS === 'real') {
    options = realProviderOptions(process.env);
    logger.log(`Using the real providers: ${Object.keys(options).join(', ') || 'none configured'}`);
  } else {
    emulator = await ProviderEmulator.start();
    // Both providers by login, so that the sample shows the clients' token handling.
    options = emulator.clientOptions({ affilync: 'password' });
    logger.log(`Using the embedded emulator: Affilync at ${emulator.affilyncBaseUrl}, Convertly at ${emulator.convertlyBaseUrl}`);
  }

  // rawBody: the webhook guard verifies the signature over the exact bytes received.
  const incoming = incomingOptions(process.env);
  const app = await NestFactory.create(AppModule.forProviders({ ...options, incoming }, { demo: emulator !== undefined }), { rawBody: true });
  app.enableShutdownHooks();
  if (emulator) {
    const running = emulator;
    process.once('beforeExit', () => void running.close());
    app
      .getHttpAdapter()
      .getHttpServer()
      .once('close', () => void running.close());
  }
  await app.listen(Number(process.env.PORT ?? 3000));
  // The port actually bound (PORT=0 picks a free one).
  const { port } = app.getHttpServer().address() as AddressInfo;
  logger.log(`Listening on http://localhost:${port} — try: curl http://localhost:${port}/overview`);
  if (emulator) {
    // Subscribe this app to every event, as you would with Affilync: the emulator delivers them signed.
    const webhook = await app.get(AffilyncClient).webhooks.create({
      url: `http://127.0.0.1:${port}/webhooks/affilync`,
      events: [...AFFILYNC_RESOURCES.webhookEvents],
      secret: webhookSecret(process.env),
    });
    logger.log(`Webhook ${webhook.id} registered with the emulator — try: curl -X POST http://localhost:${port}/demo/conversion`);
  }
}

bootstrap().catch((err: unknown) => {
  // A configuration error names the bad option; print it plainly, without a stack to dig through.
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
