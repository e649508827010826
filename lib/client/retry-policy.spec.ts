import { backoffMs, backoffWithoutAdviceMs, isRepeatable, isRetryableStatus, sleep } from './retry-policy.js';

describe('retry policy', () => {
  it('repeats idempotent methods, a POST only when marked, never when marked not to', () => {
    expect(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].every((m) => isRepeatable(m as never, undefined))).toBe(true);
    expect(isRepeatable('POST', undefined)).toBe(false);
    expect(isRepeatable('PATCH', undefined)).toBe(false);
    expect(isRepeatable('POST', true)).toBe(true);
    expect(isRepeatable('GET', false)).toBe(false);
  });

  it('retries 500/502/503/504 only', () => {
    expect([500, 502, 503, 504].map(isRetryableStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 404, 409, 422, 429, 501].some(isRetryableStatus)).toBe(false);
  });

  it('backs off with full jitter under an exponential, capped ceiling', () => {
    expect(backoffMs(0, () => 0.999)).toBe(199);
    expect(backoffMs(3, () => 0.999)).toBe(1598);
    expect(backoffMs(20, () => 0.999)).toBe(4995);
    expect(backoffMs(5, () => 0)).toBe(0);
  });

  it('backs off without advice (a 429 with no usable Retry-After) never by zero: half the ceiling at least', () => {
    expect(backoffWithoutAdviceMs(1, () => 0)).toBe(200);
    expect(backoffWithoutAdviceMs(1, () => 0.999)).toBe(399);
    expect(backoffWithoutAdviceMs(20, () => 0)).toBe(2_500);
  });

  it('sleep rejects with the abort reason at once', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = sleep(5_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(100);
  });
});
