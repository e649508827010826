import { createSecretKey } from 'node:crypto';
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
const MIN_SECRET_BYTES = 32;
const MAX_TOLERANCE_SEC = 60;

/** Validates `incoming`; problems name the option path and never the secret. */
export function resolveIncoming(raw: unknown, add: Add): ResolvedIncomingOptions | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('incoming', 'must be an object');
    return undefined;
  }
  const o = raw as Obj & Partial<IncomingOptions>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) add(`incoming.${k}`, `is not a known option (known: ${KEYS.join(', ')})`);

  const secret = o.jwtSecret;
  const secretBytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.isBuffer(secret) ? secret : undefined;
  if (!secretBytes) add('incoming.jwtSecret', 'is required: a string or Buffer of at least 32 bytes');
  else if (secretBytes.length < MIN_SECRET_BYTES)
    add('incoming.jwtSecret', `must be at least ${MIN_SECRET_BYTES} bytes (HS256 needs a key as long as its hash)`);

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
    apiKeyStore: storeOption(o.apiKeyStore, 'incoming.apiKeyStore', ['save', 'get', 'list', 'revoke', 'touch'], add),
    refreshTokenStore: storeOption(
      o.refreshTokenStore,
      'incoming.refreshTokenStore',
      ['saveFamily', 'getFamily', 'revokeFamily', 'markUsed', 'revokeAccessToken', 'revokeUser', 'isUserRevoked', 'isAccessTokenRevoked'],
      add,
    ),
  };

  const webhooks = resolveWebhookOptions(o, add);

  if (!secretBytes || secretBytes.length < MIN_SECRET_BYTES) return undefined;
  return {
    secretKey: createSecretKey(secretBytes),
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
