import type { JsonValue } from '../incoming/principal.js';

/** Custom claims as they reach `principal.claims`: checked, copied and deep-frozen. */
export type CustomClaims = Readonly<Record<string, JsonValue>>;

/**
 * Names custom claims may not take. They sit at the top level of the payload, beside the claims
 * the tokens are built from, so these stay ours: RFC 7519's registered claims (jsonwebtoken
 * itself acts on exp, nbf and iat), every claim TokenService writes or the verifier reads, and
 * `scope`/`scopes`, because our tokens deliberately carry no scopes (they come from the role) and
 * a claim of that name would read as a grant the guard never honours.
 */
export const RESERVED_CLAIM_NAMES: readonly string[] = Object.freeze([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'typ',
  'role',
  'plan',
  'brandId',
  'fam',
  'auth_time',
  'scope',
  'scopes',
]);

/** Largest custom claims object, in UTF-8 bytes of its JSON: keeps a token well inside the 8 KiB the guard reads. */
export const MAX_CUSTOM_CLAIMS_BYTES = 4096;

const RESERVED = new Set(RESERVED_CLAIM_NAMES);

// Each level of nesting costs at least two bytes of JSON (`[]`): deeper than this cannot fit.
const MAX_DEPTH = MAX_CUSTOM_CLAIMS_BYTES / 2;

/**
 * The custom claims of `issue()`, checked and copied (deep-frozen), or undefined when there are
 * none (absent or `{}`). Throws a TypeError naming the offending claim by its path, never quoting
 * a value: claims may hold things their issuer would rather not see in a log.
 */
export function checkedCustomClaims(claims: unknown, where: string): CustomClaims | undefined {
  if (claims === undefined) return undefined;
  if (!isPlainObject(claims)) throw new TypeError(`${where}: claims must be a plain object of JSON values`);
  for (const name of Object.keys(claims)) {
    if (RESERVED.has(name)) {
      throw new TypeError(`${where}: ${pathOf('claims', name)} is a reserved claim name (reserved: ${RESERVED_CLAIM_NAMES.join(', ')})`);
    }
  }
  const copy = copyJson(claims, 'claims', new Set(), 0, where) as Record<string, JsonValue>;
  if (Object.keys(copy).length === 0) return undefined;
  const bytes = Buffer.byteLength(JSON.stringify(copy), 'utf8');
  if (bytes > MAX_CUSTOM_CLAIMS_BYTES) {
    throw new TypeError(`${where}: claims are ${bytes} bytes as JSON (UTF-8); at most ${MAX_CUSTOM_CLAIMS_BYTES} are allowed`);
  }
  return deepFreeze(copy);
}

/**
 * The custom claims of a verified payload: every top-level claim whose name is not reserved,
 * deep-frozen; undefined when there are none (tokens issued without claims, or before them).
 */
export function customClaimsOf(payload: Record<string, unknown>): CustomClaims | undefined {
  const entries = Object.entries(payload).filter(([name]) => !RESERVED.has(name));
  if (entries.length === 0) return undefined;
  // fromEntries defines properties: a "__proto__" claim stays a claim, never a prototype.
  return deepFreeze(Object.fromEntries(entries) as Record<string, JsonValue>);
}

/** A copy of `value` made of JSON values only, each read once (getters included). */
function copyJson(value: unknown, path: string, enclosing: Set<object>, depth: number, where: string): JsonValue {
  const refuse = (why: string) => new TypeError(`${where}: ${path} ${why}`);
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw refuse('is a string with a lone surrogate (not well-formed Unicode): not portable JSON');
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse('is a number that is not finite (NaN or Infinity): not JSON');
      return value === 0 ? 0 : value; // -0 would come back as 0 anyway
    case 'boolean':
      return value;
    case 'undefined':
      throw refuse('is undefined: not JSON (leave the claim out instead)');
    case 'function':
      throw refuse('is a function: not JSON');
    case 'bigint':
      throw refuse('is a bigint: not JSON (send it as a string)');
    case 'symbol':
      throw refuse('is a symbol: not JSON');
  }
  if (value === null) return null;
  const object = value as object;
  if (depth >= MAX_DEPTH) throw new TypeError(`${where}: claims nest deeper than ${MAX_CUSTOM_CLAIMS_BYTES} bytes of JSON can hold`);
  if (enclosing.has(object)) throw refuse('refers back to an object that contains it (a cycle): not JSON');
  if (Object.getOwnPropertySymbols(object).length > 0) throw refuse('has symbol keys: not JSON');
  enclosing.add(object);
  try {
    if (Array.isArray(object)) {
      if (Object.getPrototypeOf(object) !== Array.prototype) throw refuse(`is ${instanceName(object)}: only plain arrays and objects are JSON`);
      const out: JsonValue[] = [];
      for (let i = 0; i < object.length; i++) {
        if (!(i in object)) throw new TypeError(`${where}: ${path}[${i}] is a hole in the array (undefined): not JSON`);
        out.push(copyJson(object[i], `${path}[${i}]`, enclosing, depth + 1, where));
      }
      return out;
    }
    if (!isPlainObject(object)) throw refuse(`is ${instanceName(object)}: only plain arrays and objects are JSON`);
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(object)) {
      const at = pathOf(path, key);
      if (key === '__proto__') throw new TypeError(`${where}: ${at} is not allowed as a key (copied with Object.assign it sets a prototype)`);
      if (LONE_SURROGATE.test(key)) throw new TypeError(`${where}: a key of ${path} has a lone surrogate (not well-formed Unicode)`);
      out[key] = copyJson((object as Record<string, unknown>)[key], at, enclosing, depth + 1, where);
    }
    return out;
  } finally {
    enclosing.delete(object);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `an instance of Date` — the class, which is code, never the value. */
function instanceName(value: object): string {
  let name: unknown;
  try {
    name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  } catch {
    name = undefined;
  }
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? `an instance of ${name}` : 'a class instance';
}

/** `claims.tier`, `claims.prefs["dark-mode"]`: the way to the claim, with long names cut short. */
function pathOf(parent: string, key: string): string {
  if (/^[A-Za-z_$][\w$]{0,63}$/.test(key)) return `${parent}.${key}`;
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return `${parent}[${JSON.stringify(shown)}]`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
