import { isMoney } from '../../dialects/money.js';
import type { FieldRule } from '../../dialects/resource-spec.js';

/** A checked request: its fields in the documented order, and the values no error may quote. */
export interface CheckedRequest {
  values: Record<string, unknown>;
  secrets: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ID = /^[^\s/\\?#%]+$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const CURRENCY = /^[A-Z]{3}$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/**
 * A request object checked against its documented fields, before anything is sent: a missing
 * required field, an unknown field, a value of the wrong kind, an enum value not documented, a
 * malformed amount, date or URL is a TypeError; a page number or size out of range, or dates out of
 * order, a RangeError. Messages name the field (`links[2].campaign_id`), never quote its value.
 *
 * @param where how messages name the method: `Affilync links.create`
 */
export function checkRequest(
  where: string,
  fields: Readonly<Record<string, FieldRule>>,
  input: unknown,
  ranges: readonly (readonly [string, string])[] = [],
): CheckedRequest {
  const secrets: string[] = [];
  const values = checkObject(where, fields, input === undefined ? {} : input, 'params', secrets);
  for (const [from, to] of ranges) {
    const a = values[from];
    const b = values[to];
    if (typeof a === 'string' && typeof b === 'string' && a > b) throw new RangeError(`${where}: ${from} must not be after ${to}`);
  }
  return { values, secrets };
}

/** An id for a path segment (`/commissions/{id}`): a non-empty string that cannot leave its segment. */
export function checkId(where: string, name: string, value: unknown, prefix?: string): string {
  checkField(where, name, { kind: 'id', prefix }, value, []);
  return value as string;
}

function checkObject(where: string, fields: Readonly<Record<string, FieldRule>>, input: unknown, name: string, secrets: string[]): Record<string, unknown> {
  if (!isPlainObject(input)) throw new TypeError(`${where}: ${name} must be an object`);
  const prefix = name === 'params' ? '' : `${name}.`;
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(fields, key)) {
      throw new TypeError(
        `${where}: '${safeName(key)}' is not a documented field (${Object.keys(fields).join(', ')}); send undocumented ones with the client's get() or post()`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(fields)) {
    const value = input[key];
    if (value === undefined) {
      if (rule.required) throw new TypeError(`${where}: ${prefix}${key} is required`);
      continue;
    }
    out[key] = checkField(where, `${prefix}${key}`, rule, value, secrets);
  }
  return out;
}

function checkField(where: string, name: string, rule: FieldRule, value: unknown, secrets: string[]): unknown {
  const fail = (problem: string) => new TypeError(`${where}: ${name} ${problem}`);
  const nonEmptyString = (what = 'a non-empty string') => {
    if (typeof value !== 'string' || value.length === 0) throw fail(`must be ${what}`);
    return value;
  };
  switch (rule.kind) {
    case 'string':
    case 'cursor':
      return nonEmptyString();
    case 'secret':
      secrets.push(nonEmptyString());
      return value;
    case 'id': {
      const example = rule.prefix ? ` such as '${rule.prefix}…'` : '';
      if (typeof value !== 'string' || !ID.test(value) || value === '.' || value === '..') {
        throw fail(`must be an id${example}: a non-empty string without spaces, '/', '\\', '?', '#' or '%'`);
      }
      return value;
    }
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value)) throw fail(`must be one of ${quoted(rule.values)}`);
      return value;
    case 'enum-list': {
      if (!Array.isArray(value) || value.length === 0) throw fail(`must be a non-empty array of ${quoted(rule.values)}`);
      value.forEach((v: unknown, i) => {
        if (typeof v !== 'string' || !rule.values.includes(v)) throw new TypeError(`${where}: ${name}[${i}] must be one of ${quoted(rule.values)}`);
      });
      return [...value];
    }
    case 'money':
      if (typeof value === 'number') throw fail(`must be a decimal string such as '149.99', not a number`);
      if (!isMoney(value) || value.startsWith('-')) throw fail(`must be a non-negative decimal string such as '149.99' (digits, optionally '.' and digits)`);
      return value;
    case 'date': {
      const m = typeof value === 'string' ? DATE.exec(value) : null;
      if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw fail(`must be a calendar date written YYYY-MM-DD`);
      return value;
    }
    case 'url':
      if (typeof value !== 'string' || !isHttpUrl(value)) throw fail('must be an absolute http or https URL');
      return value;
    case 'email':
      if (typeof value !== 'string' || !EMAIL.test(value)) throw fail('must be an email address');
      return value;
    case 'currency':
      if (typeof value !== 'string' || !CURRENCY.test(value)) throw fail(`must be a three-letter upper-case currency code such as 'USD'`);
      return value;
    case 'object':
      if (!isPlainObject(value) || !isJson(value)) throw fail('must be a plain object that JSON can carry');
      return value;
    case 'page':
      return wholeNumber(where, name, value, 1, Number.MAX_SAFE_INTEGER);
    case 'page-size':
      return wholeNumber(where, name, value, 1, rule.max);
    case 'items': {
      if (!Array.isArray(value) || value.length === 0) throw fail('must be a non-empty array');
      return value.map((item: unknown, i) => checkObject(where, rule.fields, item, `${name}[${i}]`, secrets));
    }
  }
}

function wholeNumber(where: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a number`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${where}: ${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}`);
  }
  return value;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function isJson(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined;
  } catch {
    return false;
  }
}

function quoted(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** An unknown key is quoted only when it looks like a field name (a key could be anything). */
function safeName(key: string): string {
  return /^[A-Za-z0-9_]{1,64}$/.test(key) ? key : '(a key that is not a field name)';
}
