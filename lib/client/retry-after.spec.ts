import { useTimeZone } from '../../test/support/time-zone.js';
import { parseRetryAfter } from './response-errors.js';
import { parseHttpDate } from './retry-after.js';

const answer = (retryAfter?: string) => ({ status: 429, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter }, text: '' });

// RFC 9110 §5.6.7's own example instant, in its three forms.
const EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37);
const NOW = EXAMPLE - 2_000;

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  // HTTP-dates are UTC whatever the process's zone; read them under one far from UTC.
  let restoreZone: () => void;
  beforeAll(() => {
    restoreZone = useTimeZone('America/New_York');
  });
  afterAll(() => restoreZone());

  it('runs under a zone far from UTC', () => {
    expect(new Date(EXAMPLE).getTimezoneOffset()).toBe(300);
  });

  it.each([
    ['delay-seconds', '2', 2_000],
    ['delay-seconds with leading zeros', '0002', 2_000],
    ['zero', '0', 0],
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT', 2_000],
    ['RFC 850 date', 'Sunday, 06-Nov-94 08:49:37 GMT', 2_000],
    ['asctime date', 'Sun Nov  6 08:49:37 1994', 2_000],
    ['asctime date with a two-digit day', 'Sun Nov 06 08:49:37 1994', 2_000],
    ['a date in the past (retry now)', 'Sun, 06 Nov 1994 08:49:00 GMT', 0],
  ])('reads %s', (_, value, ms) => {
    expect(parseRetryAfter(answer(value), NOW)).toBe(ms);
  });

  it('reads asctime dates as UTC, not local time', () => {
    const ahead = new Date(Date.UTC(2030, 0, 15, 12, 0, 2));
    expect(parseRetryAfter(answer('Tue Jan 15 12:00:02 2030'), ahead.getTime() - 2_000)).toBe(2_000);
  });

  it.each([
    ['a 2-digit year up to 50 years ahead is this century', 'Friday, 01-Jan-66 00:00:10 GMT', Date.UTC(2066, 0, 1, 0, 0, 10)],
    ['exactly 50 years ahead is still this century', 'Monday, 01-Jun-76 00:00:00 GMT', Date.UTC(2076, 5, 1)],
    ['more than 50 years ahead is the previous century', 'Wednesday, 02-Jun-76 00:00:00 GMT', Date.UTC(1976, 5, 2)],
    ['51 years ahead is the previous century', 'Saturday, 01-Jan-77 00:00:10 GMT', Date.UTC(1977, 0, 1, 0, 0, 10)],
    ['a 2-digit year in the past is this century', 'Sunday, 01-Jan-23 00:00:10 GMT', Date.UTC(2023, 0, 1, 0, 0, 10)],
  ])('RFC 850 (now 1 June 2026): %s', (_, value, instant) => {
    expect(parseHttpDate(value, Date.UTC(2026, 5, 1))).toBe(instant);
  });

  it('waits the seconds to an RFC 850 date with a 2-digit year this century', () => {
    expect(parseRetryAfter(answer('Friday, 01-Jan-66 00:00:10 GMT'), Date.UTC(2066, 0, 1) - 10_000)).toBe(20_000);
  });

  it('reads a far-ahead 2-digit year as the previous century (a past date: retry now), not 51 years of waiting', () => {
    expect(parseRetryAfter(answer('Saturday, 01-Jan-77 00:00:10 GMT'), Date.UTC(2026, 5, 1))).toBe(0);
  });

  it('knows leap years', () => {
    expect(parseHttpDate('Tue, 29 Feb 2000 00:00:00 GMT', 0)).toBe(Date.UTC(2000, 1, 29));
    expect(parseHttpDate('Mon, 29 Feb 2100 00:00:00 GMT', 0)).toBeUndefined();
    expect(parseHttpDate('Sun, 28 Feb 2100 00:00:00 GMT', 0)).toBe(Date.UTC(2100, 1, 28));
  });

  it.each(['foo 2025', 'soon 1', 'Retry 2025-01-01', 'x 1 2 3', '1.0', '-1', ''])(
    'refuses %p read against today’s clock too (V8’s Date.parse reads some as a past date: an immediate retry)',
    (value) => {
      expect(parseRetryAfter(answer(value), Date.now())).toBeUndefined();
    },
  );

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['a fraction', '1.0'],
    ['a half', '0.5'],
    ['negative', '-1'],
    ['signed', '+5'],
    ['an exponent', '1e3'],
    ['hex', '0x10'],
    ['words and a number', 'soon 1'],
    ['a word and a year (V8 reads it as a past date)', 'foo 2025'],
    ['a word', 'soon'],
    ['an ISO date', '1994-11-06T08:49:37Z'],
    ['IMF with a zone other than GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
    ['IMF with a one-digit day', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['IMF with a two-digit year', 'Sun, 06 Nov 94 08:49:37 GMT'],
    ['IMF with the wrong weekday', 'Mon, 06 Nov 1994 08:49:37 GMT'],
    ['IMF in lower case', 'sun, 06 nov 1994 08:49:37 gmt'],
    ['IMF with trailing words', 'Sun, 06 Nov 1994 08:49:37 GMT please'],
    ['IMF on 31 February', 'Thu, 31 Feb 1994 08:49:37 GMT'],
    ['IMF at 24:00', 'Sun, 06 Nov 1994 24:00:00 GMT'],
    ['IMF at minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT'],
    ['RFC 850 with a short day name', 'Sun, 06-Nov-94 08:49:37 GMT'],
    ['asctime with a single space before a one-digit day', 'Sun Nov 6 08:49:37 1994'],
    ['asctime with a zone', 'Sun Nov  6 08:49:37 1994 GMT'],
    ['a date more than a day ahead', 'Sat, 01 Jan 2028 00:00:00 GMT'],
    ['seconds more than a day ahead', '99999999999'],
  ])('refuses %s (the caller backs off instead)', (_, value) => {
    expect(parseRetryAfter(answer(value), NOW)).toBeUndefined();
  });
});
