import type { AddressInfo } from 'node:net';
import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { emptyCounters, type ProviderCounters } from './emulator-types.js';
import { EmulatorExceptionFilter } from './emulator-exception.filter.js';
import type { FaultQueue } from './faults.js';
import type { ProviderProfile } from './provider-profile.js';
import type { RateLimitRule } from './rate-limit-rules.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';
import { RateLimitWindows } from './rate-limit-windows.js';
import { requestPipeline } from './request-pipeline.js';
import { Sleeper } from './sleeper.js';

/**
 * One emulated provider as a running Nest application (Express) on 127.0.0.1 at a random port:
 * the request pipeline (counters, faults) in front of the routes, the rate limit (when a rule is
 * given) between the guard and the routes, the error filter behind them.
 * Start and close it inside QuietNestLogs.run() so that it never logs. close() returns at once
 * even with requests hanging.
 */
export class ProviderServer {
  readonly counters: ProviderCounters;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly app: NestExpressApplication,
    private readonly sleeper: Sleeper,
    private readonly windows: RateLimitWindows,
    counters: ProviderCounters,
    readonly port: number,
  ) {
    this.counters = counters;
  }

  static async start(module: DynamicModule, profile: ProviderProfile, faults: FaultQueue, rateLimit?: RateLimitRule): Promise<ProviderServer> {
    // No `logger` option: any value would replace the process's logger for everyone. The caller
    // runs this inside QuietNestLogs, which keeps what Nest logs for this app from printing.
    const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
      // Off: the pipeline reads bodies itself (a malformed one must reach the routes as "none").
      bodyParser: false,
      // close() destroys open sockets, so hanging requests cannot hold it up.
      forceCloseConnections: true,
      // Nest's default aborts the process on a bootstrap error; a test wants a rejection.
      abortOnError: false,
    });
    const counters = emptyCounters();
    const sleeper = new Sleeper();
    const windows = new RateLimitWindows();
    try {
      app.disable('x-powered-by');
      app.set('etag', false);
      app.setGlobalPrefix(profile.basePath.replace(/^\//, ''));
      // Registered before init, so it runs before every route (Nest adds its routes at init).
      app.use(requestPipeline(profile, counters, faults, sleeper));
      // Global interceptors run after every guard: only requests the guard let through are counted.
      if (rateLimit) app.useGlobalInterceptors(new RateLimitInterceptor(profile, rateLimit, windows));
      app.useGlobalFilters(new EmulatorExceptionFilter(profile));
      await app.listen(0, '127.0.0.1');
    } catch (err) {
      await app.close();
      throw err;
    }
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new ProviderServer(app, sleeper, windows, counters, port);
  }

  /** A provider of the running app (TokenService, ApiKeyService, …). */
  get<T>(token: Type<T>): T {
    return this.app.get(token);
  }

  /** Every credential's rate-limit window starts afresh. */
  resetRateLimits(): void {
    this.windows.clear();
  }

  /** Wakes delayed requests, drops every connection and stops the app. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.sleeper.stop();
      await this.app.close();
    })();
    return this.closing;
  }
}
