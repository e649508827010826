import { AFFILYNC } from '../dialects/affilync.dialect.js';
import { CONVERTLY } from '../dialects/convertly.dialect.js';
import { AffilyncApp, AFFILYNC_SCOPES } from './affilync-routes.js';
import { ConvertlyApp } from './convertly-routes.js';
import { EmulatorServer } from './emulator-server.js';
import type { EmulatedProvider, EmulatorOptions, FaultSpec, ProviderCounters } from './emulator-types.js';
import { UserDirectory } from './emulator-users.js';
import { FaultQueue } from './faults.js';
import { requestPipeline } from './request-pipeline.js';

/**
 * A local imitation of both providers' APIs, as their docs describe them, for tests: Affilync on
 * one server (`affilyncBaseUrl`, ending in /api), Convertly on another (`convertlyBaseUrl`, /v1).
 * Both listen on 127.0.0.1 at random ports. It never logs.
 */
export class ProviderEmulator {
  /** e.g. http://127.0.0.1:PORT/api */
  readonly affilyncBaseUrl: string;
  /** e.g. http://127.0.0.1:PORT/v1 */
  readonly convertlyBaseUrl: string;
  /** A valid Affilync API key with every documented scope. */
  readonly apiKey: string;
  /** Live objects, updated in place as requests arrive. */
  readonly counters: { readonly affilync: ProviderCounters; readonly convertly: ProviderCounters };

  private constructor(
    private readonly affilync: AffilyncApp,
    private readonly convertly: ConvertlyApp,
    private readonly users: UserDirectory,
    private readonly faults: FaultQueue,
    private readonly servers: readonly EmulatorServer[],
    ports: { affilync: number; convertly: number },
  ) {
    this.affilyncBaseUrl = `http://127.0.0.1:${ports.affilync}${AFFILYNC.basePath}`;
    this.convertlyBaseUrl = `http://127.0.0.1:${ports.convertly}${CONVERTLY.basePath}`;
    this.apiKey = affilync.createApiKey(AFFILYNC_SCOPES);
    this.counters = Object.freeze({ affilync: affilync.counters, convertly: convertly.counters });
  }

  static async start(options: EmulatorOptions = {}): Promise<ProviderEmulator> {
    const ttl = options.accessTokenTtlSec;
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 1)) {
      throw new RangeError('ProviderEmulator: accessTokenTtlSec must be a whole number of seconds, at least 1');
    }
    const users = new UserDirectory(options.users);
    const affilync = new AffilyncApp(users, ttl ?? AFFILYNC.accessTokenLifetimeSec);
    const convertly = new ConvertlyApp(users, ttl ?? CONVERTLY.tokenLifetimeSec);
    const faults = new FaultQueue();
    const servers: EmulatorServer[] = [];
    const serve = (app: AffilyncApp | ConvertlyApp) => {
      const server: EmulatorServer = new EmulatorServer(requestPipeline(app, faults, (ms) => server.sleep(ms)));
      servers.push(server);
      return server.listen();
    };
    try {
      const [affilyncPort, convertlyPort] = await Promise.all([serve(affilync), serve(convertly)]);
      return new ProviderEmulator(affilync, convertly, users, faults, servers, { affilync: affilyncPort, convertly: convertlyPort });
    } catch (err) {
      await Promise.all(servers.map((s) => s.close()));
      throw err;
    }
  }

  resetCounters(): void {
    for (const c of [this.counters.affilync, this.counters.convertly]) {
      c.logins = c.refreshes = c.calls = c.rejected = c.failedLogins = c.failedRefreshes = 0;
    }
  }

  /** Queues a fault; the first queued fault matching a request applies to it. */
  fault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Another valid Affilync API key, with only these scopes. */
  createApiKey(scopes: string[]): string {
    return this.affilync.createApiKey(scopes);
  }

  /** From now on the key gets 401 TOKEN_INVALID. */
  revokeApiKey(key: string): void {
    this.affilync.revokeApiKey(key);
  }

  /** Every access token issued so far is refused (401). Affilync refresh tokens keep working. */
  revokeAccessTokens(provider: EmulatedProvider): void {
    if (provider === 'affilync') this.affilync.revokeAccessTokens();
    else if (provider === 'convertly') this.convertly.revokeAccessTokens();
    else throw new RangeError(`ProviderEmulator.revokeAccessTokens: unknown provider ${String(provider)}`);
  }

  /** Changes a user's Convertly plan, effective on the next request ('starter' loses API access). */
  setPlan(email: string, plan: string): void {
    this.users.setPlan(email, plan);
  }

  /** Closes both servers, dropping every open connection (hanging requests included). */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
