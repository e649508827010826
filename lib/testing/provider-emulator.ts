import { AFFILYNC, CONVERTLY } from '../index.js';
import { AffilyncApp, AFFILYNC_SCOPES } from './affilync-app.js';
import { ConvertlyApp } from './convertly-app.js';
import type { EmulatorState } from './emulator-state.js';
import type {
  EmulatedDelivery,
  EmulatedProvider,
  EmulatorAffilyncAuth,
  EmulatorClientOptions,
  EmulatorOptions,
  FaultSpec,
  ProviderCounters,
} from './emulator-types.js';
import { UserDirectory } from './emulator-users.js';
import { FaultQueue } from './faults.js';
import { QuietNestLogs } from './quiet-nest-logs.js';
import { rateLimitRules } from './rate-limit-rules.js';
import { checkRetryDelays } from './webhook-deliveries.js';

/** The longest access-token lifetime the library's TokenService issues (incoming.accessTokenTtlSec). */
const MAX_TTL_SEC = 7 * 86_400;

/**
 * A local imitation of both providers' APIs, as their docs describe them, for tests: Affilync on
 * one server (`affilyncBaseUrl`, ending in /api), Convertly on another (`convertlyBaseUrl`, /v1).
 * Both listen on 127.0.0.1 at random ports. It never logs, and it leaves the process's logging
 * alone: a Nest app started before, during or after it logs as usual (see QuietNestLogs).
 *
 * Each provider is a small Nest application built on this library's own incoming half: its
 * tokens come from TokenService, its API keys from ApiKeyService, and ProviderAuthGuard checks
 * every request with @Scopes — so the emulator enforces exactly what the README promises.
 * It serves seeded data (250 links, 120 conversions and commissions, 90 calls, 57 creators, …) that
 * requests add to; `state` shows it and `reset()` restores it. Needs `@nestjs/platform-express`.
 *
 * Affilync also sends webhooks, as its docs describe them: to each webhook registered with
 * POST /api/webhooks, a signed POST (`X-Affilync-Signature`) of `{ id, event, created_at, data }`
 * for every event it subscribed to — `conversion.created` when a conversion is tracked, and any
 * event `emitAffilyncEvent()` fires — retried on `webhookRetryDelaysMs` after a failure. Every
 * attempt shows in `deliveries`; `flushDeliveries()` waits for them all.
 */
export class ProviderEmulator {
  /** e.g. http://127.0.0.1:PORT/api */
  readonly affilyncBaseUrl: string;
  /** e.g. http://127.0.0.1:PORT/v1 */
  readonly convertlyBaseUrl: string;
  /** Live objects, updated in place as requests arrive. */
  readonly counters: { readonly affilync: ProviderCounters; readonly convertly: ProviderCounters };

  private constructor(
    private readonly affilync: AffilyncApp,
    private readonly convertly: ConvertlyApp,
    private readonly users: UserDirectory,
    private readonly faults: FaultQueue,
    private readonly quiet: QuietNestLogs,
    /** A valid Affilync API key (`afk_live_…`) with every documented scope; clientOptions() uses it. */
    readonly apiKey: string,
  ) {
    this.affilyncBaseUrl = `http://127.0.0.1:${affilync.server.port}${AFFILYNC.basePath}`;
    this.convertlyBaseUrl = `http://127.0.0.1:${convertly.server.port}${CONVERTLY.basePath}`;
    this.counters = Object.freeze({ affilync: affilync.server.counters, convertly: convertly.server.counters });
  }

  static async start(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
    const ttl = options.accessTokenTtlSec;
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 1 && ttl <= MAX_TTL_SEC)) {
      throw new RangeError(`ProviderEmulator: accessTokenTtlSec must be a whole number of seconds, from 1 to ${MAX_TTL_SEC}`);
    }
    const retryDelays = checkRetryDelays(options.webhookRetryDelaysMs);
    const limits = rateLimitRules(options.rateLimits);
    const users = new UserDirectory(options.users);
    const faults = new FaultQueue();
    const quiet = QuietNestLogs.acquire();
    try {
      // Everything the two apps start (their servers included) stays in this quiet context.
      return await quiet.run(async () => {
        const [affilync, convertly] = await Promise.allSettled([
          AffilyncApp.start(users, ttl ?? AFFILYNC.accessTokenLifetimeSec, faults, retryDelays, limits.affilync),
          ConvertlyApp.start(users, ttl ?? CONVERTLY.tokenLifetimeSec, faults, limits.convertly),
        ]);
        try {
          if (affilync.status === 'rejected') throw affilync.reason;
          if (convertly.status === 'rejected') throw convertly.reason;
          // Created now so that clientOptions() can stay synchronous (e.g. inside a forRootAsync factory).
          const apiKey = await affilync.value.createApiKey(AFFILYNC_SCOPES);
          return new ProviderEmulator(affilync.value, convertly.value, users, faults, quiet, apiKey);
        } catch (err) {
          await Promise.all([affilync, convertly].map((s) => (s.status === 'fulfilled' ? s.value.server.close() : undefined)));
          throw err;
        }
      });
    } catch (err) {
      quiet.release();
      throw err;
    }
  }

  /**
   * ProviderAuthModule option blocks pointing at this emulator, for `forRoot(...)` or a
   * `forRootAsync` factory. Affilync with `apiKey` (default): this emulator's `apiKey`, which has
   * every scope; with `password`: the first user's login (EMULATOR_DEFAULT_USER unless `users`
   * was given). Convertly: the first user's login. A fresh object on every call.
   *
   * @example ProviderAuthModule.forRoot({ ...emulator.clientOptions({ affilync: 'password' }), http: { timeoutMs: 2_000 } })
   */
  clientOptions<A extends EmulatorAffilyncAuth = 'apiKey'>(options: { affilync?: A } = {}): EmulatorClientOptions<A> {
    const auth: EmulatorAffilyncAuth = options?.affilync ?? 'apiKey';
    if (auth !== 'apiKey' && auth !== 'password') {
      throw new RangeError(`ProviderEmulator.clientOptions: affilync must be 'apiKey' or 'password', not ${JSON.stringify(auth)}`);
    }
    const [user] = this.users.all();
    if (!user) throw new Error('ProviderEmulator.clientOptions: the emulator has no user to log in with (options.users is empty)');
    const login = { email: user.email, password: user.password };
    const affilync = auth === 'apiKey' ? { baseUrl: this.affilyncBaseUrl, apiKey: this.apiKey } : { baseUrl: this.affilyncBaseUrl, ...login };
    return { affilync, convertly: { baseUrl: this.convertlyBaseUrl, ...login } } as EmulatorClientOptions<A>;
  }

  /**
   * Both providers' data as it is now: a frozen snapshot (read it again after further requests).
   * Records have the fields the routes answer with; `affilync.clicks`, which no route lists, are
   * the `click_id`s a conversion may be tracked with. A webhook's signing secret is never in it
   * (it signs deliveries, and is never answered either).
   *
   * @example expect(emulator.state.affilync.conversions.at(-1)).toMatchObject({ order_id: 'ORD-9001' })
   */
  get state(): EmulatorState {
    return Object.freeze({ affilync: this.affilync.data.snapshot(), convertly: this.convertly.data.snapshot() });
  }

  /**
   * Fires an Affilync webhook event: `{ id: 'evt_…', event: name, created_at, data }` goes to every
   * registered webhook subscribed to `name`, signed with its secret, and is retried on the
   * schedule (`webhookRetryDelaysMs`) after a non-2xx answer, a connection error or 10 s without
   * an answer. A name Affilync's docs do not list goes to every registered webhook: the emulator
   * then plays a provider that has added an event (which no one could subscribe to yet).
   *
   * `duplicate: true` delivers the same event (same id, same bytes) twice, concurrently, as a
   * provider's at-least-once delivery may; `delay` waits that many milliseconds before the first
   * attempt. Resolves with the event's id once every first attempt has been answered or has
   * failed (retries go on: see flushDeliveries); rejects with a TypeError or RangeError on bad
   * arguments, and once the emulator is closed.
   *
   * @example const { id } = await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_1', amount: '120.00' })
   */
  emitAffilyncEvent(name: string, data: Record<string, unknown>, options?: { duplicate?: boolean; delay?: number }): Promise<{ id: string }> {
    return this.affilync.deliveries.emit(name, data, options);
  }

  /**
   * Every webhook delivery attempt since the start or the last reset(), in the order they were
   * made: a frozen snapshot of those answered or failed so far (read it again later). `status` is
   * the HTTP status, or 0 when no answer came; `at` is when the attempt was made.
   */
  get deliveries(): readonly EmulatedDelivery[] {
    return this.affilync.deliveries.record;
  }

  /**
   * Resolves when no webhook delivery is waiting (a `delay`, an answer being sent), in flight or
   * due for a retry — with short `webhookRetryDelaysMs`, once every retry is done or given up.
   */
  flushDeliveries(): Promise<void> {
    return this.affilync.deliveries.flush();
  }

  /**
   * Back to the seeded data (what requests created is gone, new ids start again after the seeded
   * ones), zero counters and, with `rateLimits`, every credential's full budget (its window opens
   * again at its next request). Users, their plans, API keys, issued tokens and queued faults stay.
   * Webhook deliveries are called off (waiting, in flight and scheduled retries) and `deliveries`
   * is emptied; the registered webhooks go with the rest of the created data.
   */
  reset(): void {
    this.affilync.deliveries.reset();
    this.affilync.data.reset();
    this.convertly.data.reset();
    this.affilync.server.resetRateLimits();
    this.convertly.server.resetRateLimits();
    this.resetCounters();
  }

  resetCounters(): void {
    for (const c of [this.counters.affilync, this.counters.convertly]) {
      c.logins = c.refreshes = c.calls = c.rejected = c.failedLogins = c.failedRefreshes = c.rateLimited = 0;
    }
  }

  /** Queues a fault; the first queued fault matching a request applies to it. */
  fault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Another valid Affilync API key (ApiKeyService), with only these scopes; an unknown scope is refused. */
  createApiKey(scopes: string[]): Promise<string> {
    return this.quiet.run(() => this.affilync.createApiKey(scopes));
  }

  /** From the next request on, the key gets 401 TOKEN_INVALID (ApiKeyService.revoke). */
  revokeApiKey(key: string): Promise<void> {
    return this.quiet.run(() => this.affilync.revokeApiKey(key));
  }

  /**
   * Every access token issued so far is refused (401). Affilync refresh tokens keep working;
   * Convertly has none, and a login after this resolves works.
   */
  revokeAccessTokens(provider: EmulatedProvider): Promise<void> {
    if (provider === 'affilync') return this.quiet.run(() => this.affilync.revokeAccessTokens());
    if (provider === 'convertly') return this.quiet.run(() => this.convertly.revokeAccessTokens());
    return Promise.reject(new RangeError(`ProviderEmulator.revokeAccessTokens: unknown provider ${String(provider)}`));
  }

  /** Changes a user's plan, effective on the next request, same token ('starter' loses Convertly API access). */
  setPlan(email: string, plan: string): void {
    this.users.setPlan(email, plan);
  }

  /**
   * Closes both servers, dropping every open connection (hanging requests included). Scheduled
   * webhook retries are cancelled; deliveries in flight get a second to be answered, then are
   * aborted. Leaves no timer behind. Idempotent.
   */
  async close(): Promise<void> {
    try {
      await this.quiet.run(() => Promise.all([this.affilync.deliveries.close(), this.affilync.server.close(), this.convertly.server.close()]));
    } finally {
      this.quiet.release();
    }
  }
}
