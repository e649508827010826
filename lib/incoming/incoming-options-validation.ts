import { createSecretKey } from 'node:crypto';
import type { JwtKey } from '../issuing/hs256-jwt.js';
import type { IncomingOptions, ResolvedIncomingOptions } from '../provider-auth.options.js';
import { ROLES, type Role } from './principal.js';
import { DEFAULT_CACHE_ENTRIES } from './verified-credential-cache.js';
import { DEFAULT_SCOPES, defaultRoleScopes, SCOPE_TOKEN } from './scope-catalogue.js';
import { resolveWebhookOptions } from '../webhooks/webhook-options.js';
import { int, storeOption, type Add } from './option-checks.js';

type Obj = Record<string, unknown>;

const KEYS = [
  'jwtSecret',
  'errorFormat',
  'realm',
  'clockToleranceSec',
  'accessTokenTtlSec',
  'refreshTokenTtlSec',
  'maxSessionSec',
  'scopes',
  'roleScopes',
  'allowedPlans',
  'apiKeyStore',
  'refreshTokenStore',
  'webhookSecret',
  'eventIdStore',
  'webhookDedupTtlSec',
  'webhookLeaseSec',
  'cacheEntries',
  'rpcCredential',
];
/** Every method TokenService and the verifier call; listFamilies and revokeSession serve listSessions/revokeSession. */
const REFRESH_TOKEN_STORE_METHODS = [
  'saveFamily',
  'getFamily',
  'revokeFamily',
  'markUsed',
  'revokeAccessToken',
  'revokeUser',
  'isUserRevoked',
  'isAccessTokenRevoked',
  'listFamilies',
  'revokeSession',
] as const;
const MIN_SECRET_BYTES = 32;
const SHORT_SECRET = `must be at least ${MIN_SECRET_BYTES} bytes (HS256 needs a key as long as its hash)`;
/** A token without kid is tried against each: a bound on that work. */
const MAX_JWT_SECRETS = 10;
const MAX_KID_CHARS = 64;
const KID = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_KID_CHARS}}$`);
const MAX_TOLERANCE_SEC = 60;

/** Validates `incoming`; problems name the option path and never the secret. */
export function resolveIncoming(raw: unknown, add: Add): ResolvedIncomingOptions | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('incoming', 'must be an object');
    return undefined;
  }
  const o = raw as Obj & Partial<IncomingOptions>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) add(`incoming.${k}`, `is not a known option (known: ${KEYS.join(', ')})`);

  const jwtKeys = resolveJwtKeys(o.jwtSecret, add);

  const errorFormat = o.errorFormat ?? 'affilync';
  if (errorFormat !== 'affilync' && errorFormat !== 'convertly') add('incoming.errorFormat', "must be 'affilync' or 'convertly'");

  const realm = o.realm ?? 'api';
  if (typeof realm !== 'string' || !/^[\x20\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(realm)) {
    add('incoming.realm', 'must be 1 to 100 printable characters without quotes or backslashes');
  }

  const tolerance = int(o.clockToleranceSec, 'incoming.clockToleranceSec', 0, MAX_TOLERANCE_SEC, 5, add);
  const accessTtl = int(o.accessTokenTtlSec, 'incoming.accessTokenTtlSec', 1, 7 * 86_400, 3_600, add);
  const refreshTtl = int(o.refreshTokenTtlSec, 'incoming.refreshTokenTtlSec', 60, 366 * 86_400, 30 * 86_400, add);
  const maxSession = int(o.maxSessionSec, 'incoming.maxSessionSec', 60, 366 * 86_400, 30 * 86_400, add);
  const cacheEntries = int(o.cacheEntries, 'incoming.cacheEntries', 0, 1_000_000, DEFAULT_CACHE_ENTRIES, add);

  const scopes = stringList(o.scopes ?? DEFAULT_SCOPES, 'incoming.scopes', add, SCOPE_TOKEN);
  const catalogue = new Set(scopes);
  const roleScopes = resolveRoleScopes(o.roleScopes, scopes, catalogue, add);

  let allowedPlans: Set<string> | undefined;
  if (o.allowedPlans !== undefined) {
    const plans = stringList(o.allowedPlans, 'incoming.allowedPlans', add);
    if (plans.length === 0) add('incoming.allowedPlans', 'must name at least one plan (leave it out to allow every plan)');
    allowedPlans = new Set(plans);
  }

  const stores = {
    apiKeyStore: store(o.apiKeyStore, 'incoming.apiKeyStore', ['save', 'get', 'list', 'revoke', 'touch'], add),
    refreshTokenStore: store(o.refreshTokenStore, 'incoming.refreshTokenStore', REFRESH_TOKEN_STORE_METHODS, add),
  };

  const webhooks = resolveWebhookOptions(o, add);

  if (!jwtKeys) return undefined;
  return {
    secretKey: jwtKeys[0].key,
    jwtKeys,
    errorFormat,
    realm,
    clockToleranceSec: tolerance,
    accessTokenTtlSec: accessTtl,
    refreshTokenTtlSec: Math.max(refreshTtl, accessTtl),
    maxSessionSec: maxSession,
    cacheEntries,
    scopes,
    roleScopes,
    allowedPlans,
    apiKeyStore: stores.apiKeyStore as ResolvedIncomingOptions['apiKeyStore'],
    refreshTokenStore: stores.refreshTokenStore as ResolvedIncomingOptions['refreshTokenStore'],
    ...rpcCredentialOf(o.rpcCredential, add),
    ...webhooks,
  };
}

/**
 * A store option: an object whose missing methods are named (a store written for an earlier
 * version lacks the newer ones), so the app stops at bootstrap rather than at the first call.
 */
function store(value: unknown, path: string, methods: readonly string[], add: Add): unknown {
  if (typeof value === 'object' && value !== null) {
    const missing = methods.filter((m) => typeof (value as Obj)[m] !== 'function');
    if (missing.length > 0) {
      add(path, `lacks ${missing.join(', ')}: a store must implement ${methods.join(', ')} (see docs/issuing.md, custom stores)`);
      return undefined;
    }
  }
  return storeOption(value, path, [...methods], add);
}

/**
 * `incoming.jwtSecret`: one secret (no kid), or a list of `{ kid, secret }` whose first entry signs.
 * Undefined when it is bad. Problems name positions, never a secret (nor a kid: one pasted in the
 * wrong field could be a secret).
 */
function resolveJwtKeys(raw: unknown, add: Add): JwtKey[] | undefined {
  const path = 'incoming.jwtSecret';
  if (!Array.isArray(raw)) {
    const bytes = secretBytesOf(raw);
    if (!bytes) add(path, 'is required: a string or Buffer of at least 32 bytes, or a list of { kid, secret }');
    else if (bytes.length < MIN_SECRET_BYTES) add(path, SHORT_SECRET);
    return bytes && bytes.length >= MIN_SECRET_BYTES ? [{ key: createSecretKey(bytes) }] : undefined;
  }
  if (raw.length === 0) add(path, 'must list at least one { kid, secret } (the first signs)');
  if (raw.length > MAX_JWT_SECRETS) add(path, `lists ${raw.length} secrets; at most ${MAX_JWT_SECRETS} (each token without kid is tried against every one)`);
  const keys: JwtKey[] = [];
  const kids = new Map<string, number>();
  const secrets: Buffer[] = [];
  let bad = raw.length === 0 || raw.length > MAX_JWT_SECRETS;
  raw.forEach((entry: unknown, i) => {
    const at = `${path}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      add(at, 'must be { kid, secret }');
      bad = true;
      return;
    }
    const e = entry as Obj;
    for (const k of Object.keys(e)) {
      if (k !== 'kid' && k !== 'secret') {
        add(`${at}.${k}`, 'is not known (an entry is { kid, secret })');
        bad = true;
      }
    }
    const { kid } = e;
    if (typeof kid !== 'string' || !KID.test(kid)) {
      add(`${at}.kid`, `must be 1 to ${MAX_KID_CHARS} characters of A-Z a-z 0-9 . _ -`);
      bad = true;
    } else if (kids.has(kid)) {
      add(`${at}.kid`, `repeats the kid of ${path}[${kids.get(kid)}]: each kid names one secret`);
      bad = true;
    } else kids.set(kid, i);
    const bytes = secretBytesOf(e.secret);
    if (!bytes || bytes.length < MIN_SECRET_BYTES) {
      add(`${at}.secret`, bytes ? SHORT_SECRET : 'is required: a string or Buffer of at least 32 bytes');
      bad = true;
      return;
    }
    const same = secrets.findIndex((s) => s.equals(bytes));
    if (same >= 0) {
      add(`${at}.secret`, `is the secret of ${path}[${same}] again: give each kid its own secret`);
      bad = true;
    }
    secrets.push(bytes);
    if (typeof kid === 'string') keys.push({ kid, key: createSecretKey(bytes) });
  });
  return bad ? undefined : keys;
}

function secretBytesOf(value: unknown): Buffer | undefined {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.isBuffer(value) ? value : undefined;
}

/** `incoming.rpcCredential`: a function, or nothing (RPC handlers are then denied). */
function rpcCredentialOf(raw: unknown, add: Add): Pick<ResolvedIncomingOptions, 'rpcCredential'> {
  if (raw === undefined) return {};
  if (typeof raw !== 'function') {
    add('incoming.rpcCredential', 'must be a function (context) => the bearer value or undefined');
    return {};
  }
  return { rpcCredential: raw as ResolvedIncomingOptions['rpcCredential'] };
}

function resolveRoleScopes(raw: unknown, scopes: string[], catalogue: Set<string>, add: Add): Record<Role, string[]> {
  if (raw === undefined) return defaultRoleScopes(scopes);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('incoming.roleScopes', 'must be an object with admin and member scope lists');
    return defaultRoleScopes(scopes);
  }
  const o = raw as Obj;
  for (const k of Object.keys(o)) if (!ROLES.includes(k as Role)) add(`incoming.roleScopes.${k}`, `is not a role (roles: ${ROLES.join(', ')})`);
  const out = {} as Record<Role, string[]>;
  for (const role of ROLES) {
    const list = o[role] === undefined ? [] : stringList(o[role], `incoming.roleScopes.${role}`, add);
    if (o[role] === undefined) add(`incoming.roleScopes.${role}`, 'is required');
    for (const s of list) if (!catalogue.has(s)) add(`incoming.roleScopes.${role}`, `names '${s}', which is not in the scope catalogue`);
    out[role] = list;
  }
  return out;
}

function stringList(value: unknown, path: string, add: Add, shape?: RegExp): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0 || (shape && !shape.test(v)))) {
    add(path, shape ? 'must be a list of scope tokens (printable, no spaces, quotes or backslashes)' : 'must be a list of non-empty strings');
    return [];
  }
  return [...new Set(value as string[])];
}
