/**
 * The forAccount() clients kept ready, at most `capacity`, least recently used evicted first.
 * Evicting a client drops only objects: its tokens live in the TokenStore and its rate budget in
 * the RateLimitStore, where the next client for the account finds them.
 */
export class AccountCache<C> {
  // A Map iterates in insertion order: re-inserting on each hit keeps the oldest use first.
  private readonly clients = new Map<string, C>();

  constructor(private readonly capacity: number) {}

  /** The cached client and whether it was there, or a new one made by `create` and cached. */
  get(key: string, create: () => C): { client: C; hit: boolean } {
    const cached = this.clients.get(key);
    if (cached !== undefined) {
      this.clients.delete(key);
      this.clients.set(key, cached);
      return { client: cached, hit: true };
    }
    const client = create();
    this.clients.set(key, client);
    if (this.clients.size > this.capacity) this.clients.delete(this.clients.keys().next().value as string);
    return { client, hit: false };
  }

  get size(): number {
    return this.clients.size;
  }
}
