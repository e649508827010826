import { Injectable, Logger, Module, type DynamicModule, type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ProviderAuthModule, type ProviderAuthModuleOptions } from '../../lib/index.js';

/** A user's service that logs through Nest's Logger, as application code does. */
@Injectable()
export class ChattyService {
  private readonly logger = new Logger('ChattyService');

  say(text: string): void {
    this.logger.log(text);
  }
}

@Module({})
class ChattyAppModule {}

/** A user's app: the library's module with these options, and a service of its own that logs. */
export function chattyAppModule(options: ProviderAuthModuleOptions): DynamicModule {
  return { module: ChattyAppModule, imports: [ProviderAuthModule.forRoot(options)], providers: [ChattyService] };
}

/** An API key without the documented prefix: ProviderAuthModule warns at bootstrap and uses it anyway. */
export const UNPREFIXED_KEY_OPTIONS: ProviderAuthModuleOptions = { affilync: { apiKey: 'plain-demo-key' } };
/** The library's own warning for UNPREFIXED_KEY_OPTIONS. */
export const UNPREFIXED_KEY_WARNING = 'affilync.apiKey does not start with the documented prefix';
/** A JWT secret under 32 bytes: the bootstrap fails with ProviderAuthConfigError, which Nest prints. */
export const BAD_OPTIONS: ProviderAuthModuleOptions = { incoming: { jwtSecret: 'too-short' } };

/** NestFactory.create + init, as a user's main() does; a failed bootstrap rejects (abortOnError: false). */
export async function startChattyApp(options: ProviderAuthModuleOptions, appOptions: NestApplicationOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(chattyAppModule(options), { abortOnError: false, ...appOptions });
  await app.init();
  return app;
}

/**
 * What a user's app logs in one go: a line from its own service, the library's bootstrap warning
 * (a second app with an unprefixed key) and a bootstrap ProviderAuthConfigError that Nest prints.
 * Resolves once all three were logged.
 */
export async function userAppLogs(app: INestApplication, label: string, appOptions: NestApplicationOptions = {}): Promise<void> {
  app.get(ChattyService).say(`user line ${label}`);
  const warned = await startChattyApp(UNPREFIXED_KEY_OPTIONS, appOptions);
  await warned.close();
  await expect(startChattyApp(BAD_OPTIONS, appOptions)).rejects.toThrow('incoming.jwtSecret');
}

/**
 * Lines that only the emulator's own Nest apps would log: its modules, its controllers, the routes
 * under /api and /v1 (the user's apps here have no routes).
 */
export const EMULATOR_LINE = /Emulator|Affilync\w*Controller|Convertly\w*Controller|\/(api|v1)[/,}]/;

/**
 * Runs `work` while the user's service keeps logging `tick N`, every 20 microtask hops (at most
 * 1,000 lines): the emulator's start never yields to the event loop, so a timer would not tick
 * during it. Resolves to work's result, the ticks logged before it settled, and all ticks logged.
 */
export async function whileChatting<T>(chatty: ChattyService, work: () => Promise<T>): Promise<{ result: T; ticksDuring: number; ticks: number }> {
  let ticks = 0;
  let settled = false;
  const chatter = (async () => {
    for (let hop = 1; !settled && hop <= 20_000; hop++) {
      await null;
      if (hop % 20 === 0) chatty.say(`tick ${++ticks}`);
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    settled = true;
  }
  const ticksDuring = ticks;
  await chatter;
  return { result, ticksDuring, ticks };
}
