import { Logger } from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';

/** Any node-redis 6 client (createClient() result), whatever its modules and scripts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRedisClient = RedisClientType<any, any, any, any, any>;

/** How every Redis-backed store of this package reaches Redis. */
export interface RedisStoreOptions {
  /** e.g. `redis://127.0.0.1:6379`: the store creates its own client and closes it with the app. */
  url?: string;
  /** A client you created (connected or connecting): used as is, and never closed by the store. */
  client?: AnyRedisClient;
  /**
   * Each Redis call fails after this long (default 1000 ms). node-redis would otherwise queue
   * commands while disconnected, and a request would hang instead of failing.
   */
  commandTimeoutMs?: number;
  /** Prepended to every key and channel (default none; keys already start `nest-provider-auth:`). */
  keyPrefix?: string;
}

/** A Redis call failed, timed out, or Redis was unreachable. Carries no key or value. */
export class RedisUnavailableError extends Error {
  constructor(reason: string) {
    super(`Redis is unavailable (${reason})`);
    this.name = 'RedisUnavailableError';
  }
}

const DEFAULT_TIMEOUT_MS = 1_000;
/** Reconnect after 50 ms, doubling up to 2 s, forever: work resumes when Redis is back. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2_000);

/**
 * One Redis client as a store uses it: every command with our own timeout, errors turned into
 * RedisUnavailableError (never echoing keys or values), and a subscriber connection on demand.
 */
export class RedisConnection {
  readonly client: AnyRedisClient;
  readonly keyPrefix: string;
  readonly timeoutMs: number;
  private readonly owned: boolean;
  private readonly extra: AnyRedisClient[] = [];
  private closed = false;
  /** Settles when our own client is ready for the first time (commands sent at startup wait for it). */
  private firstReady: Promise<void> | undefined;

  constructor(options: RedisStoreOptions, owner: string) {
    validate(options, owner);
    this.keyPrefix = options.keyPrefix ?? '';
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.owned = options.client === undefined;
    if (options.client) {
      this.client = options.client;
    } else {
      this.client = createClient({
        url: options.url,
        // Fail at once while disconnected instead of queueing until the socket comes back.
        disableOfflineQueue: true,
        socket: { reconnectStrategy, connectTimeout: Math.max(this.timeoutMs, 1_000) },
      }) as AnyRedisClient;
      watch(this.client, owner);
      const client = this.client;
      this.firstReady = new Promise<void>((resolve) => client.once('ready', () => resolve()));
      // Connects in the background: commands sent before then wait for it (within their timeout).
      this.client.connect().catch(() => undefined);
    }
  }

  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  /** One command, within the timeout. */
  async send<T>(args: readonly string[]): Promise<T> {
    if (this.closed) throw new RedisUnavailableError('store closed');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailableError(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      if (this.owned && !this.client.isReady) {
        // Before the first connection (app start) wait for it, within the same timeout; once it
        // has been up, a lost connection fails at once (firstReady is settled; nothing is queued).
        await Promise.race([this.firstReady, timeout]);
        if (!this.client.isReady) throw new RedisUnavailableError('not connected');
      }
      const signal = AbortSignal.timeout(this.timeoutMs);
      return (await Promise.race([this.client.sendCommand(args, { abortSignal: signal }), timeout])) as T;
    } catch (error) {
      if (error instanceof RedisUnavailableError) throw error;
      // node-redis errors may quote the command; ours never carry a key or value.
      throw new RedisUnavailableError(error instanceof Error ? error.name : 'error');
    } finally {
      clearTimeout(timer);
    }
  }

  /** A Lua script by EVAL (scripts are short; EVALSHA caching is not worth a second round trip on a miss). */
  eval<T>(script: string, keys: readonly string[], args: readonly (string | number)[]): Promise<T> {
    return this.send<T>(['EVAL', script, String(keys.length), ...keys, ...args.map(String)]);
  }

  /** A second connection for SUBSCRIBE (a subscribed connection cannot send other commands); closed with this one. */
  duplicate(owner: string): AnyRedisClient {
    const sub = this.client.duplicate({ disableOfflineQueue: true, socket: { reconnectStrategy } } as never) as AnyRedisClient;
    watch(sub, owner);
    this.extra.push(sub);
    return sub;
  }

  /** Closes what the store created; a client the user passed stays open. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const mine = this.owned ? [this.client, ...this.extra] : this.extra;
    await Promise.all(mine.map((c) => (c.isOpen ? c.close().catch(() => c.destroy()) : undefined)));
  }
}

/** An unhandled 'error' event would kill the process; log once per outage instead. */
function watch(client: AnyRedisClient, owner: string): void {
  const logger = new Logger(owner);
  let down = false;
  client.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    logger.error(`Redis connection lost (${error instanceof Error ? error.name : 'error'}); retrying in the background`);
  });
  client.on('ready', () => {
    if (down) logger.log('Redis connection restored');
    down = false;
  });
}

function validate(options: RedisStoreOptions, owner: string): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${owner}: options must be an object with url or client`);
  const { url, client, commandTimeoutMs, keyPrefix } = options;
  if ((url === undefined) === (client === undefined)) throw new TypeError(`${owner}: give exactly one of url or client`);
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw new TypeError(`${owner}: url must start with redis:// or rediss://`);
  }
  if (client !== undefined && typeof (client as { sendCommand?: unknown }).sendCommand !== 'function') {
    throw new TypeError(`${owner}: client must be a node-redis client (createClient())`);
  }
  if (commandTimeoutMs !== undefined && !(Number.isFinite(commandTimeoutMs) && commandTimeoutMs >= 1)) {
    throw new TypeError(`${owner}: commandTimeoutMs must be a positive number of milliseconds`);
  }
  if (keyPrefix !== undefined && typeof keyPrefix !== 'string') throw new TypeError(`${owner}: keyPrefix must be a string`);
}
