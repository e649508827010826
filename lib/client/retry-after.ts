/**
 * Retry-After as RFC 9110 §10.2.3 defines it: `delay-seconds` (digits only) or an HTTP-date in
 * one of the three forms of §5.6.7. Written out rather than left to Date.parse, which reads the
 * asctime form in the process's local time zone and accepts garbage such as 'foo 2025' as a date
 * in the past (an immediate retry).
 */

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAY_NAMES_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DAY = DAY_NAMES.join('|');
const MONTH = MONTHS.join('|');
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// The grammar's literals are case-sensitive (%s"…" in RFC 9110), single spaces included.
const IMF_FIXDATE = new RegExp(`^(${DAY}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(${DAY_NAMES_LONG.join('|')}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^(${DAY}) (${MONTH}) (\\d{2}| \\d) ${TIME} (\\d{4})$`);

// A wait longer than this is not advice we can use: treat it as garbage.
const MAX_SENSIBLE_WAIT_MS = 24 * 3600 * 1000;

/**
 * A Retry-After value as ms to wait from `now`: 0 for a date already past; undefined when absent
 * or unusable (anything but digits or a valid HTTP-date, or more than a day away), so that the
 * caller backs off instead.
 */
export function parseRetryAfterValue(value: string | undefined, now: number): number | undefined {
  const raw = value?.replace(/^[ \t]+|[ \t]+$/g, '');
  if (!raw) return undefined;
  let ms: number | undefined;
  if (/^\d+$/.test(raw)) ms = Number(raw) * 1000;
  else {
    const at = parseHttpDate(raw, now);
    ms = at === undefined ? undefined : Math.max(0, at - now);
  }
  return ms !== undefined && ms <= MAX_SENSIBLE_WAIT_MS ? ms : undefined;
}

/**
 * An HTTP-date (IMF-fixdate, RFC 850 or asctime; always UTC) as epoch ms, or undefined when it
 * is not exactly one of them or names a day that does not exist or fall on the weekday given.
 * `now` places RFC 850's two-digit years: one more than 50 years ahead is in the past century.
 */
export function parseHttpDate(text: string, now: number): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(m[1], +m[4], m[3], +m[2], m[5], m[6], m[7]);
  m = RFC850_DATE.exec(text);
  if (m) return utc(m[1].slice(0, 3), twoDigitYear(+m[4], now, m[3], +m[2]), m[3], +m[2], m[5], m[6], m[7]);
  m = ASCTIME_DATE.exec(text);
  if (m) return utc(m[1], +m[7], m[2], +m[3].trim(), m[4], m[5], m[6]);
  return undefined;
}

/** RFC 9110 §5.6.7: the year with these last two digits that is not more than 50 years ahead. */
function twoDigitYear(yy: number, now: number, month: string, day: number): number {
  const nowYear = new Date(now).getUTCFullYear();
  let year = nowYear - (nowYear % 100) + yy;
  const fiftyYearsAhead = new Date(now);
  fiftyYearsAhead.setUTCFullYear(nowYear + 50);
  const month0 = MONTHS.indexOf(month);
  if (utcDate(year, month0, day).getTime() > fiftyYearsAhead.getTime()) year -= 100;
  else if (utcDate(year + 100, month0, day).getTime() <= fiftyYearsAhead.getTime()) year += 100;
  return year;
}

function utc(dayName: string, year: number, month: string, day: number, hh: string, mm: string, ss: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const [hour, minute, second] = [+hh, +mm, +ss];
  // Second 60 is a leap second (RFC 9110 §5.6.7): read as the next instant, as Date.UTC does.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const date = utcDate(year, monthIndex, day);
  // 31 Feb rolls over into March: such a day does not exist.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== monthIndex || date.getUTCDate() !== day) return undefined;
  if (DAY_NAMES[date.getUTCDay()] !== dayName) return undefined;
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
}

/** Midnight UTC of a day; unlike Date.UTC, years 0–99 stay years 0–99. */
function utcDate(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date;
}
