import { AFFILYNC } from './dialects/affilync.dialect.js';
import type { ProviderDialect } from './dialects/dialect.interface.js';
import { affilyncDialect } from './dialects/affilync.dialect.js';
import { convertlyDialect } from './dialects/convertly.dialect.js';
import type { ConfigIssue } from './provider-auth-config.error.js';
import { ProviderAuthConfigError } from './provider-auth-config.error.js';
import { resolveIncoming } from './incoming/incoming-options-validation.js';
import type { RateLimitStore } from './client/rate-limit-store.interface.js';
import type { TokenStore } from './client/token-store.interface.js';
import { dispatcherProblem } from './client/dispatcher-check.js';
import {
  ACCOUNTS_CACHE_DEFAULT,
  HTTP_DEFAULTS,
  type ProviderAuthModuleOptions,
  type ResolvedProviderAuthOptions,
  type ResolvedProviderOptions,
} from './provider-auth.options.js';

type Obj = Record<string, unknown>;

const TOP_KEYS = ['affilync', 'convertly', 'http', 'accountsCacheSize', 'tokenStore', 'rateLimitStore', 'incoming'];
const HTTP_KEYS = ['timeoutMs', 'maxRetries', 'maxRetryAfterMs', 'maxResponseBytes', 'dispatcher'];
const STORE_METHODS = ['get', 'compareAndSet', 'withLock'];
const RATE_STORE_METHODS = ['reserve', 'record'];

/** Validates options at bootstrap. Problems name the option path, never its value. */
export function resolveOptions(raw: ProviderAuthModuleOptions | undefined, warn: (message: string) => void): ResolvedProviderAuthOptions {
  const issues: ConfigIssue[] = [];
  const add = (path: string, problem: string) => issues.push({ path, problem });

  if (!isObj(raw)) {
    throw new ProviderAuthConfigError([{ path: '(options)', problem: 'must be an object' }]);
  }
  unknownKeys(raw, TOP_KEYS, '', add);

  const resolved: ResolvedProviderAuthOptions = { http: { ...HTTP_DEFAULTS }, accountsCacheSize: ACCOUNTS_CACHE_DEFAULT };

  if (raw.affilync !== undefined) {
    resolved.affilync = providerBlock(raw.affilync, 'affilync', affilyncDialect, { credentials: 'optional' }, add);
    warnUnprefixedKey(resolved.affilync, 'affilync', warn);
  }
  if (raw.convertly !== undefined) {
    resolved.convertly = providerBlock(raw.convertly, 'convertly', convertlyDialect, { credentials: 'optional' }, add);
  }
  resolved.accountsCacheSize = int(raw.accountsCacheSize, 'accountsCacheSize', 1, 1_000_000, ACCOUNTS_CACHE_DEFAULT, add);

  if (raw.http !== undefined) {
    if (!isObj(raw.http)) add('http', 'must be an object');
    else {
      unknownKeys(raw.http, HTTP_KEYS, 'http.', add);
      const h = raw.http as Obj;
      resolved.http.timeoutMs = int(h.timeoutMs, 'http.timeoutMs', 1, 600_000, HTTP_DEFAULTS.timeoutMs, add);
      resolved.http.maxRetries = int(h.maxRetries, 'http.maxRetries', 0, 10, HTTP_DEFAULTS.maxRetries, add);
      resolved.http.maxRetryAfterMs = int(h.maxRetryAfterMs, 'http.maxRetryAfterMs', 0, 3_600_000, HTTP_DEFAULTS.maxRetryAfterMs, add);
      // Below 1 KiB even an error body would not fit; above 1 GiB a body is near V8's string limit.
      resolved.http.maxResponseBytes = int(h.maxResponseBytes, 'http.maxResponseBytes', 1_024, 1_073_741_824, HTTP_DEFAULTS.maxResponseBytes, add);
      if (h.dispatcher !== undefined) {
        const problem = dispatcherProblem(h.dispatcher);
        if (problem) add('http.dispatcher', problem);
        else resolved.http.dispatcher = h.dispatcher as ResolvedProviderAuthOptions['http']['dispatcher'];
      }
    }
  }

  if (raw.tokenStore !== undefined) {
    const store = raw.tokenStore as unknown;
    if (!isObj(store) || STORE_METHODS.some((m) => typeof (store as Obj)[m] !== 'function')) {
      add('tokenStore', `must implement TokenStore (${STORE_METHODS.join(', ')})`);
    } else resolved.tokenStore = store as unknown as TokenStore;
  }

  if (raw.rateLimitStore !== undefined) {
    const store = raw.rateLimitStore as unknown;
    if (!isObj(store) || RATE_STORE_METHODS.some((m) => typeof (store as Obj)[m] !== 'function')) {
      add('rateLimitStore', `must implement RateLimitStore (${RATE_STORE_METHODS.join(', ')})`);
    } else resolved.rateLimitStore = store as unknown as RateLimitStore;
  }

  if (raw.incoming !== undefined) resolved.incoming = resolveIncoming(raw.incoming, add);

  if (issues.length > 0) throw new ProviderAuthConfigError(issues);
  return resolved;
}

/**
 * The credentials given to `affilync.forAccount()` / `convertly.forAccount()`, validated as a
 * forRoot block is (credentials required); the base URL defaults to the module block's. Throws
 * ProviderAuthConfigError naming `<provider>.forAccount()`, never a value.
 */
export function resolveAccount(
  raw: unknown,
  provider: 'affilync' | 'convertly',
  moduleBlock: ResolvedProviderOptions,
  warn: (message: string) => void,
): ResolvedProviderOptions {
  const issues: ConfigIssue[] = [];
  const name = `${provider}.forAccount()`;
  const dialect = provider === 'affilync' ? affilyncDialect : convertlyDialect;
  const account = providerBlock(raw, name, dialect, { credentials: 'required', baseUrl: moduleBlock.baseUrl }, (path, problem) =>
    issues.push({ path, problem }),
  );
  if (!account || issues.length > 0) throw new ProviderAuthConfigError(issues);
  warnUnprefixedKey(account, name, warn);
  return account;
}

function warnUnprefixedKey(block: ResolvedProviderOptions | undefined, name: string, warn: (message: string) => void): void {
  const key = block?.apiKey;
  if (key !== undefined && !key.startsWith(AFFILYNC.apiKeyPrefix)) {
    warn(`${name}.apiKey does not start with the documented prefix '${AFFILYNC.apiKeyPrefix}'; using it anyway`);
  }
}

/**
 * What each provider's block takes besides baseUrl, email and password: Affilync also API keys;
 * Convertly a plan (a budget no header reports).
 */
const BLOCK_FIELDS = { affilync: { apiKey: true, plan: false }, convertly: { apiKey: false, plan: true } } as const;

interface BlockRules {
  /** A forRoot block may leave credentials out (forAccount() only); an account must give them. */
  credentials: 'optional' | 'required';
  /** The base URL when the block gives none: the provider's documented one, or the module block's. */
  baseUrl?: string;
}

function providerBlock(
  block: unknown,
  name: string,
  dialect: ProviderDialect,
  rules: BlockRules,
  add: (path: string, problem: string) => void,
): ResolvedProviderOptions | undefined {
  if (!isObj(block)) {
    add(name, 'must be an object');
    return undefined;
  }
  const { apiKey: allowApiKey, plan: allowPlan } = BLOCK_FIELDS[dialect.name as 'affilync' | 'convertly'];
  const allowed = ['baseUrl', 'email', 'password', ...(allowApiKey ? ['apiKey'] : []), ...(allowPlan ? ['plan'] : [])];
  unknownKeys(block, allowed, `${name}.`, add);

  const present = (k: string) => block[k] !== undefined;
  for (const k of ['apiKey', 'email', 'password']) {
    if (present(k) && (typeof block[k] !== 'string' || (block[k] as string).trim() === '')) {
      add(`${name}.${k}`, 'must be a non-empty string');
    }
  }
  const hasKey = allowApiKey && present('apiKey');
  const hasLogin = present('email') || present('password');
  if (hasKey && hasLogin) {
    add(name, 'give either apiKey or email and password, not both');
  } else if (!hasKey && !hasLogin) {
    if (rules.credentials === 'required') {
      add(name, allowApiKey ? 'needs credentials: apiKey, or email and password' : 'needs credentials: email and password');
    } else if (present('plan')) {
      add(`${name}.plan`, 'belongs to an account: give it with email and password, or to forAccount()');
    }
  } else if (hasLogin) {
    if (!present('email')) add(`${name}.email`, 'is required with password');
    if (!present('password')) add(`${name}.password`, 'is required with email');
  }

  const plans = Object.keys(dialect.plans);
  if (allowPlan && present('plan') && !plans.includes(block.plan as string)) {
    add(`${name}.plan`, `must be one of ${plans.map((p) => `'${p}'`).join(', ')} (the plans whose rate limit ${dialect.displayName} documents)`);
  }

  const url = baseUrl(block.baseUrl, `${name}.baseUrl`, rules.baseUrl ?? dialect.defaultBaseUrl, add);
  if (!url) return undefined;
  return {
    baseUrl: url.href.replace(/\/+$/, ''),
    origin: url.origin,
    basePathname: url.pathname.replace(/\/+$/, ''),
    apiKey: hasKey ? (block.apiKey as string) : undefined,
    email: hasLogin ? (block.email as string) : undefined,
    password: hasLogin ? (block.password as string) : undefined,
    plan: allowPlan && plans.includes(block.plan as string) ? (block.plan as string) : undefined,
  };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** https, or plain http only on loopback (local emulators); no credentials, query or fragment. */
function baseUrl(value: unknown, path: string, fallback: string, add: (p: string, m: string) => void): URL | undefined {
  const text = value === undefined ? fallback : value;
  if (typeof text !== 'string') {
    add(path, 'must be a URL string');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    add(path, 'is not a valid URL');
    return undefined;
  }
  if (url.username || url.password) {
    add(path, 'must not contain credentials; give them as their own options');
    return undefined;
  }
  if (url.search || url.hash) {
    add(path, 'must not have a query or fragment');
    return undefined;
  }
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    add(path, 'must use https (plain http is allowed only for loopback hosts)');
    return undefined;
  }
  return url;
}

function int(value: unknown, path: string, min: number, max: number, fallback: number, add: (p: string, m: string) => void): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    add(path, `must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

function unknownKeys(o: Obj, allowed: string[], prefix: string, add: (p: string, m: string) => void): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) add(`${prefix}${k}`, `is not a known option (known: ${allowed.join(', ')})`);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
