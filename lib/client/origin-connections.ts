import { Pool, type Dispatcher } from 'undici';
import { InflightLimit } from './inflight-limit.js';

/** Sockets kept open per provider origin; enough for bursts without opening thousands. */
export const CONNECTIONS_PER_ORIGIN = 64;

/** How calls to one origin leave the process: the dispatcher, and how many may be handed to it at once. */
export interface OriginConnection {
  readonly dispatcher: Dispatcher;
  readonly limit: InflightLimit;
}

/**
 * The module's connections to the providers: one keep-alive pool per origin, shared by every
 * client on it (the default account's and every forAccount() one's), or the user's
 * `http.dispatcher`. Closes the pools it made at shutdown, never the user's dispatcher.
 */
export class OriginConnections {
  private readonly byOrigin = new Map<string, OriginConnection & { owned: boolean }>();
  private closed = false;

  constructor(private readonly userDispatcher?: Dispatcher) {}

  for(origin: string): OriginConnection {
    let connection = this.byOrigin.get(origin);
    if (!connection) {
      const owned = this.userDispatcher === undefined;
      const dispatcher = this.userDispatcher ?? new Pool(origin, { connections: CONNECTIONS_PER_ORIGIN });
      // A pool made after shutdown (a forAccount() call from a late timer) is refused by undici at once.
      if (owned && this.closed) void dispatcher.destroy();
      connection = { dispatcher, limit: new InflightLimit(CONNECTIONS_PER_ORIGIN), owned };
      this.byOrigin.set(origin, connection);
    }
    return connection;
  }

  /** How many origins have a connection (a pool each, unless the user's dispatcher carries them). */
  get size(): number {
    return this.byOrigin.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.byOrigin.values()].filter((c) => c.owned).map((c) => c.dispatcher.destroy()));
  }
}
