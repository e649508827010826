import { NestFactory } from '@nestjs/core';
import { ProviderEmulator } from 'nest-provider-auth/testing';
import { AppModule } from './app.module';

/** Starts the app on the local emulator (no account, no network). */
export async function bootstrap(port: number | string = process.env.PORT ?? 3000) {
  const emulator = await ProviderEmulator.start();
  // rawBody: webhook signatures cover the exact bytes received.
  const app = await NestFactory.create(AppModule.register(emulator.clientOptions()), { rawBody: true });
  app.enableShutdownHooks();
  await app.listen(port);
  return { app, emulator };
}

if (require.main === module) void bootstrap();
