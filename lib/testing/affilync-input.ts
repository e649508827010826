import { EmulatorHttpError } from './emulator-http-error.js';
import { isDecimalAmount } from './money.js';
import type { FieldProblem } from './provider-profile.js';

export type JsonObject = Record<string, unknown>;

/** Affilync's 422 detail (api/errors). */
export const VALIDATION_FAILED = 'Validation failed';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CURRENCY = /^[A-Z]{3}$/;
/** Not documented: a generous cap for optional free-text fields (sub ids, display names). */
export const MAX_TEXT = 255;

/**
 * The problems found in one request's input, collected field by field so that a 422 lists them
 * all (`fields[]`, as on docs.affilync.com/api/errors). Nested fields are named with a prefix:
 * `links[2].campaign_id`.
 */
export class FieldProblems {
  readonly list: FieldProblem[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  /** 422 VALIDATION_ERROR with every problem, when there is one. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new EmulatorHttpError(422, VALIDATION_FAILED, this.list);
  }

  /** The body as an object; anything else (an array, a string, nothing) is one problem. */
  object(value: unknown, field = 'body'): JsonObject {
    if (isObject(value)) return value;
    // An absent body reads as an empty object: the required fields are then each reported missing.
    if (value === undefined && field === 'body') return {};
    this.add(field, 'must be a JSON object');
    return {};
  }

  /** A required non-empty string. */
  requiredString(o: JsonObject, name: string, prefix = ''): string | undefined {
    const value = o[name];
    if (value === undefined || value === null) this.add(prefix + name, 'field required');
    else if (typeof value !== 'string') this.add(prefix + name, 'must be a string');
    else if (value.trim() === '') this.add(prefix + name, 'must not be empty');
    else return value;
    return undefined;
  }

  /** An optional string: null when absent or null. */
  optionalString(o: JsonObject, name: string, prefix = ''): string | null {
    const value = o[name];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') this.add(prefix + name, 'must be a string');
    else if (value.length > MAX_TEXT) this.add(prefix + name, `must be at most ${MAX_TEXT} characters`);
    else return value;
    return null;
  }

  /** One of the listed values, or `fallback` when absent (undefined: required). */
  oneOf<T extends string>(o: JsonObject, name: string, values: readonly T[], fallback?: T, prefix = ''): T | undefined {
    const value = o[name];
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (value === undefined || value === null) this.add(prefix + name, 'field required');
    else if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) this.add(prefix + name, `must be one of: ${values.join(', ')}`);
    else return value as T;
    return undefined;
  }

  /** A required amount as a decimal string ("149.99"): Affilync sends and takes money as strings. */
  amount(o: JsonObject, name: string): string | undefined {
    const value = o[name];
    if (value === undefined || value === null) this.add(name, 'field required');
    else if (!isDecimalAmount(value)) this.add(name, 'must be a decimal string with at most 2 decimals, such as "149.99"');
    else return value;
    return undefined;
  }

  /** An ISO 4217 code, upper case; `fallback` when absent. */
  currency(o: JsonObject, name: string, fallback: string): string {
    const value = o[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && CURRENCY.test(value)) return value;
    this.add(name, 'must be a three-letter ISO 4217 currency code in upper case, such as "USD"');
    return fallback;
  }

  optionalEmail(o: JsonObject, name: string): string | null {
    const value = o[name];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string' && value.length <= MAX_TEXT && EMAIL.test(value)) return value;
    this.add(name, 'must be an email address');
    return null;
  }

  optionalObject(o: JsonObject, name: string): JsonObject {
    const value = o[name];
    if (value === undefined || value === null) return {};
    if (isObject(value)) return value;
    this.add(name, 'must be a JSON object');
    return {};
  }

  /** An absolute http(s) URL; required unless `optional`. */
  url(o: JsonObject, name: string, optional: boolean, prefix = ''): string | null {
    const value = o[name];
    if (value === undefined || value === null) {
      if (!optional) this.add(prefix + name, 'field required');
      return null;
    }
    if (typeof value === 'string' && isHttpUrl(value)) return value;
    this.add(prefix + name, 'must be an absolute http or https URL');
    return null;
  }

  /** A query parameter from a fixed list; null when absent. */
  queryOneOf<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T | null {
    const value = query.get(name);
    if (value === null) return null;
    if ((values as readonly string[]).includes(value)) return value as T;
    this.add(name, `must be one of: ${values.join(', ')}`);
    return null;
  }

  /** A query parameter date, YYYY-MM-DD (a real calendar date); null when absent. */
  queryDate(query: URLSearchParams, name: string): string | null {
    const value = query.get(name);
    if (value === null) return null;
    const time = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
    if (!Number.isNaN(time) && new Date(time).toISOString().startsWith(value)) return value;
    this.add(name, 'must be a date as YYYY-MM-DD');
    return null;
  }

  /** `to` must not be before `from` (both inclusive, YYYY-MM-DD). */
  dateOrder(from: string | null, to: string | null, toName: string, fromName: string): void {
    if (from !== null && to !== null && to < from) this.add(toName, `must not be before ${fromName}`);
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The YYYY-MM-DD (UTC) of an ISO time: date filters compare it, inclusive at both ends. */
export function isoDate(iso: string): string {
  return iso.slice(0, 10);
}

/** Within [from, to] (either may be open), comparing the UTC date of `iso`. */
export function inDateRange(iso: string, from: string | null, to: string | null): boolean {
  const day = isoDate(iso);
  return (from === null || day >= from) && (to === null || day <= to);
}
