import { InflightLimit } from './inflight-limit.js';

describe('InflightLimit', () => {
  it('lets `max` go at once, then one waiter per release, first in first out', async () => {
    const limit = new InflightLimit(2);
    expect(limit.acquire()).toBeUndefined();
    expect(limit.acquire()).toBeUndefined();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => limit.acquire()!.then(() => order.push(n)));
    await Promise.resolve();
    expect(order).toEqual([]);
    limit.release();
    await waiters[0];
    expect(order).toEqual([1]);
    limit.release();
    limit.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('drops a waiter whose signal aborts, with the signal’s reason, and hands its turn to the next', async () => {
    const limit = new InflightLimit(1);
    limit.acquire();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const gaveUp = limit.acquire(controller.signal)!;
    const next = limit.acquire()!;
    controller.abort(reason);
    await expect(gaveUp).rejects.toBe(reason);
    limit.release();
    await expect(next).resolves.toBeUndefined();
    // An already aborted signal never waits.
    await expect(limit.acquire(controller.signal)).rejects.toBe(reason);
  });

  it('keeps working through thousands of waiters (no unbounded queue left behind)', async () => {
    const limit = new InflightLimit(4);
    const running = Array.from({ length: 4 }, () => limit.acquire());
    expect(running.every((r) => r === undefined)).toBe(true);
    let done = 0;
    const waiters = Array.from({ length: 5_000 }, () =>
      limit.acquire()!.then(() => {
        done++;
        limit.release();
      }),
    );
    for (let i = 0; i < 4; i++) limit.release();
    await Promise.all(waiters);
    expect(done).toBe(5_000);
    expect(limit.acquire()).toBeUndefined();
  });
});
