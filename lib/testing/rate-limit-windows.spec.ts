import { RateLimitWindows } from './rate-limit-windows.js';

describe('RateLimitWindows', () => {
  let now = 1_000_000;
  const windows = new RateLimitWindows(() => now);

  beforeEach(() => {
    now = 1_000_000;
    windows.clear();
  });

  it('opens a window at the first request and counts down to a refusal', () => {
    const verdicts = Array.from({ length: 4 }, () => windows.take('key:a', 3, 1000));
    expect(verdicts.map((v) => [v.admitted, v.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(verdicts.every((v) => v.resetAtMs === 1_001_000 && v.limit === 3)).toBe(true);
  });

  it('does not count refusals, and gives the whole budget back when the window is over', () => {
    for (let i = 0; i < 5; i++) windows.take('key:a', 2, 1000);
    now += 999;
    expect(windows.take('key:a', 2, 1000)).toMatchObject({ admitted: false, untilResetMs: 1, resetAtMs: 1_001_000 });
    now += 1;
    expect(windows.take('key:a', 2, 1000)).toMatchObject({ admitted: true, remaining: 1, resetAtMs: 1_002_000, untilResetMs: 1000 });
  });

  it('keeps credentials apart, and takes a changed limit from the next request on', () => {
    windows.take('user:1', 2, 1000);
    windows.take('user:1', 2, 1000);
    expect(windows.take('user:2', 2, 1000).admitted).toBe(true);
    expect(windows.take('user:1', 2, 1000).admitted).toBe(false);
    expect(windows.take('user:1', 5, 1000)).toMatchObject({ admitted: true, remaining: 2 });
  });

  it('forgets windows that are over once many credentials have one', () => {
    for (let i = 0; i < 1024; i++) windows.take(`key:${i}`, 1, 10);
    now += 10;
    // The sweep makes room; every credential still starts afresh.
    expect(windows.take('key:new', 1, 10).admitted).toBe(true);
    expect(windows.take('key:0', 1, 10)).toMatchObject({ admitted: true, remaining: 0 });
  });
});
