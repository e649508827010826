/**
 * Money as the providers send it: a decimal string (`"25.00"`, `"149.99"`), never a JavaScript
 * number, so that no amount is ever rounded by binary floating point on its way through.
 *
 * The type accepts what TypeScript reads as a number written as a string; `isMoney()` and the
 * clients' request checks are stricter (digits, an optional `.` and more digits, and for requests no
 * sign). A string from elsewhere becomes `Money` through `isMoney()`, or `fromMinorUnits()` from cents.
 */
export type Money = `${number}`;

/** A decimal string: digits, then optionally `.` and digits; a leading `-` for amounts owed back. */
const MONEY_SHAPE = /^-?\d+(?:\.\d+)?$/;

/** The most fraction digits toMinorUnits/fromMinorUnits work with (far beyond any currency's). */
const MAX_FRACTION_DIGITS = 18;

/**
 * Whether `value` is a decimal string such as `'25.00'`, `'0.5'` or `'-3.10'` (no exponent, no
 * spaces, no `+`, no thousands separators).
 */
export function isMoney(value: unknown): value is Money {
  return typeof value === 'string' && MONEY_SHAPE.test(value);
}

/**
 * An amount in integer minor units (cents for USD), for arithmetic. A value with more significant
 * fraction digits than `fractionDigits` is refused rather than rounded: `'1.005'` is not a whole
 * number of cents. Trailing zeros beyond them are fine (`'1.500'` → 150).
 *
 * @example
 * toMinorUnits('25.00') // 2500
 * toMinorUnits('149.99') // 14999
 * toMinorUnits('0.5') // 50
 * toMinorUnits('1500', 0) // 1500 (a currency without minor units)
 * toMinorUnits('1.005') // RangeError
 */
export function toMinorUnits(amount: string, fractionDigits = 2): number {
  checkFractionDigits(fractionDigits);
  if (!isMoney(amount)) {
    throw new TypeError(`amount must be a decimal string such as '25.00' (digits, optionally '.' and digits)`);
  }
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const kept = fraction.slice(0, fractionDigits);
  if (/[1-9]/.test(fraction.slice(fractionDigits))) {
    throw new RangeError(`amount has more than ${fractionDigits} fraction digit(s); it is refused rather than rounded`);
  }
  const minor = BigInt(whole + kept.padEnd(fractionDigits, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError('amount is too large to be counted exactly in minor units as a JavaScript number');
  }
  const n = Number(minor);
  return negative && n !== 0 ? -n : n;
}

/**
 * The `Money` string for an integer amount of minor units: the inverse of toMinorUnits.
 *
 * @example
 * fromMinorUnits(14999) // '149.99'
 * fromMinorUnits(-50) // '-0.50'
 * fromMinorUnits(1500, 0) // '1500'
 */
export function fromMinorUnits(minor: number | bigint, fractionDigits = 2): Money {
  checkFractionDigits(fractionDigits);
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new RangeError('minor units must be a safe integer (a whole number of cents, say)');
  }
  if (typeof minor !== 'number' && typeof minor !== 'bigint') throw new TypeError('minor units must be a number or a bigint');
  const big = BigInt(minor);
  const digits = (big < 0n ? -big : big).toString().padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  return `${big < 0n ? '-' : ''}${whole}${fractionDigits > 0 ? `.${fraction}` : ''}` as Money;
}

function checkFractionDigits(fractionDigits: number): void {
  if (!Number.isInteger(fractionDigits) || fractionDigits < 0 || fractionDigits > MAX_FRACTION_DIGITS) {
    throw new RangeError(`fractionDigits must be an integer from 0 to ${MAX_FRACTION_DIGITS}`);
  }
}
