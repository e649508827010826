import { fromMinorUnits, isMoney, toMinorUnits } from './money.js';

describe('toMinorUnits', () => {
  it.each([
    ['25.00', 2, 2500],
    ['149.99', 2, 14999],
    ['0.5', 2, 50],
    ['0', 2, 0],
    ['7', 2, 700],
    ['1.500', 2, 150],
    ['-3.10', 2, -310],
    ['-0.00', 2, 0],
    ['1500', 0, 1500],
    ['12.345', 3, 12345],
    ['90071992547409.91', 2, 9007199254740991],
  ])('%s with %i fraction digits is %i', (amount, digits, minor) => {
    expect(toMinorUnits(amount, digits)).toBe(minor);
  });

  it('returns 0, never -0', () => {
    expect(Object.is(toMinorUnits('-0.00'), 0)).toBe(true);
  });

  it('refuses more significant fraction digits than asked rather than rounding', () => {
    expect(() => toMinorUnits('1.005')).toThrow(RangeError);
    expect(() => toMinorUnits('1.005')).toThrow(/more than 2 fraction digit/);
    expect(() => toMinorUnits('0.5', 0)).toThrow(RangeError);
  });

  it('refuses amounts beyond what a number counts exactly', () => {
    expect(() => toMinorUnits('90071992547409.92')).toThrow(RangeError);
  });

  it.each([['25,00'], ['1e3'], [' 25.00'], ['+5'], ['.5'], ['5.'], [''], ['NaN'], ['Infinity'], ['0x10'], ['1 000.00']])(
    'refuses %j: not a decimal string',
    (amount) => {
      expect(() => toMinorUnits(amount)).toThrow(TypeError);
    },
  );

  it('refuses a number, whatever the types say', () => {
    expect(() => toMinorUnits(25 as unknown as string)).toThrow(TypeError);
  });

  it.each([-1, 1.5, 19, Number.NaN])('refuses fractionDigits %p', (digits) => {
    expect(() => toMinorUnits('1.00', digits)).toThrow(RangeError);
  });
});

describe('fromMinorUnits', () => {
  it.each([
    [14999, 2, '149.99'],
    [2500, 2, '25.00'],
    [50, 2, '0.50'],
    [5, 2, '0.05'],
    [0, 2, '0.00'],
    [-50, 2, '-0.50'],
    [1500, 0, '1500'],
    [12345n, 3, '12.345'],
  ])('%p with %i fraction digits is %s', (minor, digits, money) => {
    expect(fromMinorUnits(minor, digits)).toBe(money);
  });

  it('round-trips with toMinorUnits', () => {
    for (const minor of [0, 1, 99, 100, 14999, -250, 9007199254740991]) expect(toMinorUnits(fromMinorUnits(minor))).toBe(minor);
  });

  it.each([1.5, Number.NaN, 2 ** 60])('refuses %p minor units', (minor) => {
    expect(() => fromMinorUnits(minor)).toThrow(RangeError);
  });
});

describe('isMoney', () => {
  it('tells decimal strings from everything else', () => {
    expect(['25.00', '0.5', '-3.10', '1500'].every(isMoney)).toBe(true);
    expect([25, '25,00', '1e3', '', ' 1', '+1', '.5', null, undefined].some(isMoney)).toBe(false);
  });
});
