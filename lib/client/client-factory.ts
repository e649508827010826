import { Logger } from '@nestjs/common';
import type { ProviderDialect } from '../dialects/dialect.interface.js';
import type { ResolvedProviderAuthOptions, ResolvedProviderOptions } from '../provider-auth.options.js';
import { LOGGER_CONTEXT } from '../provider-auth.constants.js';
import { ApiKeyCredential, type CredentialSource } from './credential-source.js';
import { HttpTransport } from './http-transport.js';
import type { RateLimitStore } from './rate-limit-store.interface.js';
import { paddedPolicy, RatePacer, rateLimitKey } from './rate-pacer.js';
import type { ProviderClientCore } from './provider-client.js';
import { TokenManager } from './token-manager.js';
import type { TokenStore } from './token-store.interface.js';

/** The working parts of one provider's client, from its validated options block. */
export function createClientCore(
  dialect: ProviderDialect,
  block: ResolvedProviderOptions | undefined,
  options: ResolvedProviderAuthOptions,
  store: TokenStore,
  rateStore: RateLimitStore,
): ProviderClientCore | undefined {
  if (!block) return undefined;
  const logger = new Logger(LOGGER_CONTEXT);
  // Budgets are per credential: per API key or login (Affilync documents this; Convertly does not say).
  const identity = block.apiKey ?? block.email!.toLowerCase();
  const pacer = new RatePacer(dialect, rateStore, rateLimitKey(dialect.name, block.baseUrl, identity), paddedPolicy(dialect.ratePolicy(block.plan)), logger);
  const transport = new HttpTransport(dialect, block.origin, options.http.maxResponseBytes);
  const credentials: CredentialSource = block.apiKey
    ? new ApiKeyCredential(block.apiKey, dialect.apiKeyPrefix)
    : new TokenManager({
        dialect,
        transport,
        basePathname: block.basePathname,
        baseUrl: block.baseUrl,
        email: block.email!,
        password: block.password!,
        store,
        http: options.http,
        logger,
      });
  return { dialect, transport, credentials, basePathname: block.basePathname, http: options.http, pacer };
}
