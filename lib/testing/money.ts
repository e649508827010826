/** Decimal-string money, as Affilync sends it ("149.99"), computed in whole cents. */

/** Up to 12 integer digits and at most 2 decimals, no sign: "149.99", "25", "0.5". */
const DECIMAL_AMOUNT = /^\d{1,12}(\.\d{1,2})?$/;

export function isDecimalAmount(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_AMOUNT.test(value);
}

/** "149.9" → 14990n. The value must pass isDecimalAmount. */
export function toCents(amount: string): bigint {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/** 14990n → "149.90". */
export function formatCents(cents: bigint): string {
  const whole = cents / 100n;
  const rest = cents % 100n;
  return `${whole}.${String(rest).padStart(2, '0')}`;
}

/** "149.9" → "149.90". */
export function normalizeAmount(amount: string): string {
  return formatCents(toCents(amount));
}

/** `rate` percent of `cents`, rounded half up to the cent: percentOf(14999n, "10.00") → 1500n. */
export function percentOf(cents: bigint, rate: string): bigint {
  const basisPoints = toCents(rate); // "10.00" → 1000 hundredths of a percent
  return (cents * basisPoints + 5_000n) / 10_000n;
}

export function sumAmounts(amounts: readonly string[]): string {
  return formatCents(amounts.reduce((total, a) => total + toCents(a), 0n));
}
