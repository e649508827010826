/**
 * How a provider's documented endpoints are described as data: method, path, the fields a request
 * may carry (with what the docs say of each) and the envelope of the answer. The client's resource
 * methods are built from these descriptions; nothing here sends anything.
 */

/** What one request field may hold. Every field is optional unless `required`. */
export type FieldRule = (
  | { kind: 'string' }
  /** An id: non-empty, no whitespace, `/`, `\`, `?`, `#` or `%`. The prefix is documented, not enforced. */
  | { kind: 'id'; prefix?: string }
  | { kind: 'enum'; values: readonly string[] }
  /** A non-empty array of values of the enum. */
  | { kind: 'enum-list'; values: readonly string[] }
  /** A non-negative decimal string such as `"149.99"`. */
  | { kind: 'money' }
  /** A calendar date written `YYYY-MM-DD`. */
  | { kind: 'date' }
  /** An absolute http(s) URL. */
  | { kind: 'url' }
  | { kind: 'email' }
  /** Three upper-case letters (ISO 4217), e.g. `USD`. */
  | { kind: 'currency' }
  /** A plain JSON object. */
  | { kind: 'object' }
  /** A string that is a secret: never quoted in an error, whatever the provider echoes. */
  | { kind: 'secret' }
  /** A page number, from 1. */
  | { kind: 'page' }
  /** A page size, from 1 to `max`. */
  | { kind: 'page-size'; max: number }
  | { kind: 'cursor' }
  /** A non-empty array of objects, each checked against `fields`. */
  | { kind: 'items'; fields: Readonly<Record<string, FieldRule>> }
) & { required?: boolean };

/**
 * How a single answer is wrapped:
 * - `data`: `{ "data": {...} }`, documented; unwrapped;
 * - `bare`: the object at the top level, documented; returned as is (a body that is nothing but
 *   `{ data: {...} }` is unwrapped all the same);
 * - `data-or-bare`: the docs show no envelope; a body whose only keys are `data` (an object) and
 *   optionally `meta` is unwrapped, anything else is the object itself;
 * - `data-array`: `{ "data": [...] }`, documented; the array;
 * - `list`: a list page `{ data: [...], meta }`, returned as is and paginated.
 */
export type Envelope = 'data' | 'bare' | 'data-or-bare' | 'data-array' | 'list';

export interface EndpointSpec {
  /** How messages name the method: `links.create`. */
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** Relative to the base URL; `{id}` is filled with the method's id argument. */
  readonly path: string;
  /** The id argument's name in messages (`campaignId`), for a path with `{id}`. */
  readonly idName?: string;
  /** The request's fields: the query of a GET, the JSON body of a POST. */
  readonly fields?: Readonly<Record<string, FieldRule>>;
  /** Pairs of date fields that must be in order (`[from, to]`). */
  readonly ranges?: readonly (readonly [string, string])[];
  readonly answer: Envelope;
  /**
   * Whether the call may be sent more than once (after a 5xx, a dropped connection or a 429): true
   * for reads and for creates the provider de-duplicates; false sends it once.
   */
  readonly idempotent: boolean;
}
