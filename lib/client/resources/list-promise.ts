/** A list page: the items and the provider's `meta`, exactly as sent. */
export interface ListPage<T, M> {
  data: T[];
  meta: M;
}

/**
 * What a resource's `list()` returns, like stripe-node's auto-pagination: awaited, the first page
 * (`{ data, meta }` as the provider sent it); iterated with `for await`, every item of every page,
 * each page fetched once as the loop gets to it.
 *
 * Nothing is sent until it is awaited or iterated. The first page is fetched once and shared: awaiting
 * and then iterating the same list does not ask for it again. A request refused before sending (a
 * bad filter) rejects the promise and ends the iteration with the same error.
 *
 * @example
 * const first = await affilync.links.list({ status: 'active' }); // first.data, first.meta.total
 * for await (const link of affilync.links.list({ status: 'active' })) { … }
 */
export class ListPromise<T, M> extends Promise<ListPage<T, M>> implements AsyncIterable<T> {
  // Derived promises (then/catch/finally) are plain promises, never lazy lists.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #loadFirst: () => Promise<ListPage<T, M>>;
  readonly #walk: (firstPage: () => Promise<ListPage<T, M>>) => AsyncIterator<T>;
  #first?: Promise<ListPage<T, M>>;

  /**
   * @param loadFirst fetches the first page (called at most once)
   * @param walk every item, given the shared first page
   */
  constructor(loadFirst: () => Promise<ListPage<T, M>>, walk: (firstPage: () => Promise<ListPage<T, M>>) => AsyncIterator<T>) {
    super((resolve) => resolve(undefined as never));
    this.#loadFirst = loadFirst;
    this.#walk = walk;
  }

  // `reason: any`, as Promise's own signatures have it, so that `.catch((e: Error) => …)` compiles.
  override then<A = ListPage<T, M>, B = never>(
    onFulfilled?: ((page: ListPage<T, M>) => A | PromiseLike<A>) | null,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    onRejected?: ((reason: any) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override catch<B = never>(onRejected?: ((reason: any) => B | PromiseLike<B>) | null): Promise<ListPage<T, M> | B> {
    return this.#firstPage().catch(onRejected);
  }

  override finally(onFinally?: (() => void) | null): Promise<ListPage<T, M>> {
    return this.#firstPage().finally(onFinally);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.#walk(() => this.#firstPage());
  }

  #firstPage(): Promise<ListPage<T, M>> {
    this.#first ??= this.#loadFirst();
    return this.#first;
  }
}
