import { parseRetryAfter } from './response-errors.js';
import { backoffMs, isRepeatable, isRetryableStatus, sleep } from './retry-policy.js';

const answer = (retryAfter?: string) => ({ status: 429, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter }, text: '' });

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

  it('reads Retry-After as seconds or an HTTP date, and refuses garbage, negatives and absurd waits', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter(answer('2'), now)).toBe(2_000);
    expect(parseRetryAfter(answer('0.5'), now)).toBe(500);
    expect(parseRetryAfter(answer('Sun, 22 Nov 2026 10:00:30 GMT'), now)).toBe(30_000);
    expect(parseRetryAfter(answer('Sun, 22 Nov 2026 09:00:00 GMT'), now)).toBe(0);
    for (const bad of [undefined, '', 'soon', '-5', '1e3', '99999999999', 'Sat, 01 Jan 2028 00:00:00 GMT']) {
      expect(parseRetryAfter(answer(bad), now)).toBeUndefined();
    }
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
