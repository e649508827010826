// Module and options
export { ProviderAuthModule } from './provider-auth.module.js';
export { PROVIDER_AUTH_MODULE_OPTIONS, type ProviderAuthModuleExtras, type ProviderAuthOptionsFactory } from './provider-auth.module-definition.js';
export { PROVIDER_AUTH_OPTIONS } from './provider-auth.constants.js';
export type {
  AffilyncApiKeyOptions,
  AffilyncOptions,
  AffilyncPasswordOptions,
  ConvertlyOptions,
  HttpOptions,
  IncomingOptions,
  ProviderAuthModuleOptions,
  ResolvedIncomingOptions,
  ResolvedProviderAuthOptions,
  ResolvedProviderOptions,
} from './provider-auth.options.js';
export { ProviderAuthConfigError, type ConfigIssue } from './provider-auth-config.error.js';

// Outgoing clients
export { AffilyncClient } from './client/affilync.client.js';
export { ConvertlyClient } from './client/convertly.client.js';
export { ProviderClient, type CallOptions, type ProviderResponse, type RequestOptions } from './client/provider-client.js';
export type { HttpMethod } from './client/http-transport.js';
export { InvalidRequestPathError, type Query, type QueryValue } from './client/request-path.js';
export {
  ProviderApiError,
  ProviderAuthError,
  ProviderForbiddenError,
  ProviderInvalidResponseError,
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderTimeoutError,
  TokenStoreUnavailableError,
  type ProviderApiErrorInit,
} from './client/errors.js';

// Token store seam
export { TokenStore, type StoredToken, type VersionedToken } from './client/token-store.interface.js';
export { InMemoryTokenStore } from './client/in-memory-token-store.js';

// Provider facts
export type { ProviderName, RateLimitInfo } from './dialects/dialect.interface.js';
export { AFFILYNC } from './dialects/affilync.dialect.js';
export { CONVERTLY } from './dialects/convertly.dialect.js';

// Incoming: guard, decorators, principal, passport strategy
export { ProviderAuthGuard } from './incoming/provider-auth.guard.js';
export { AffilyncWebhookGuard } from './incoming/affilync-webhook.guard.js';
export { CurrentPrincipal, Public, PublicMetadata, Roles, RolesMetadata, Scopes, ScopesMetadata } from './incoming/decorators.js';
export { ROLES, type ApiKeyPrincipal, type Principal, type Role, type UserPrincipal } from './incoming/principal.js';
export { CredentialVerifier, type Verification } from './incoming/credential-verifier.js';
export { ProviderAuthException, type Refusal } from './incoming/auth-answers.js';
export { ProviderAuthValidationException, type InvalidField } from './incoming/auth-answers.js';
export { DEFAULT_SCOPES } from './incoming/scope-catalogue.js';
export type { DefaultScope, ProviderAuthScopes, Scope } from './incoming/scope-catalogue.js';

// Issuing: tokens and API keys, and their stores
export { TokenService, type AccessTokenAnswer, type IssueInput, type TokenPair } from './issuing/token.service.js';
export { ApiKeyService, type ApiKeySummary, type CreateApiKeyInput } from './issuing/api-key.service.js';
export { ApiKeyStore, type ApiKeyRecord } from './issuing/api-key-store.interface.js';
export { InMemoryApiKeyStore } from './issuing/in-memory-api-key-store.js';
export { RefreshTokenStore, type AccessTokenRef, type TokenFamily } from './issuing/refresh-token-store.interface.js';
export { InMemoryRefreshTokenStore } from './issuing/in-memory-refresh-token-store.js';
export { LocalRevocationFeed, type RevocationFeed, type WithRevocationFeed } from './issuing/revocation-feed.js';
