import { ListPromise, type ListPage } from './list-promise.js';

/** ListPromise over plain functions standing for the provider's pages. */
function pages(count: number) {
  const loads: number[] = [];
  const page = (n: number): ListPage<number, { page: number }> => ({ data: [n * 10, n * 10 + 1], meta: { page: n } });
  const list = new ListPromise<number, { page: number }>(
    async () => {
      loads.push(1);
      return page(1);
    },
    (first) =>
      (async function* () {
        yield* (await first()).data;
        for (let n = 2; n <= count; n++) {
          loads.push(n);
          yield* page(n).data;
        }
      })(),
  );
  return { list, loads };
}

describe('ListPromise', () => {
  it('is a Promise of the first page, loaded only when awaited, once', async () => {
    const { list, loads } = pages(3);
    expect(list).toBeInstanceOf(Promise);
    expect(loads).toEqual([]);
    await expect(list).resolves.toEqual({ data: [10, 11], meta: { page: 1 } });
    await list;
    expect(loads).toEqual([1]);
  });

  it('iterates every item, sharing the first page with awaiting', async () => {
    const { list, loads } = pages(3);
    await list;
    const items: number[] = [];
    for await (const n of list) items.push(n);
    expect(items).toEqual([10, 11, 20, 21, 30, 31]);
    expect(loads).toEqual([1, 2, 3]);
  });

  it('then, catch and finally give plain promises', async () => {
    const { list } = pages(1);
    const mapped = list.then((p) => p.data.length);
    expect(mapped).not.toBeInstanceOf(ListPromise);
    await expect(mapped).resolves.toBe(2);
    let done = false;
    await expect(list.finally(() => (done = true))).resolves.toMatchObject({ meta: { page: 1 } });
    expect(done).toBe(true);
    await expect(Promise.all([list, Promise.resolve(list)])).resolves.toHaveLength(2);
  });

  it('a failed first page rejects the promise and the iteration alike', async () => {
    const failing = new ListPromise<number, unknown>(
      () => Promise.reject(new TypeError('bad filter')),
      (first) =>
        (async function* () {
          yield* (await first()).data;
        })(),
    );
    await expect(failing).rejects.toThrow('bad filter');
    await expect(failing.catch((e: Error) => e.message)).resolves.toBe('bad filter');
    await expect(failing[Symbol.asyncIterator]().next()).rejects.toThrow('bad filter');
  });
});
