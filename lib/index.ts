// Module and options
export { ProviderAuthModule } from './provider-auth.module.js';
export { PROVIDER_AUTH_MODULE_OPTIONS, type ProviderAuthModuleExtras, type ProviderAuthOptionsFactory } from './provider-auth.module-definition.js';
export { PROVIDER_AUTH_OPTIONS } from './provider-auth.constants.js';
export type {
  AffilyncAccount,
  AffilyncApiKeyOptions,
  AffilyncOptions,
  AffilyncPasswordOptions,
  ConvertlyAccount,
  ConvertlyOptions,
  HttpOptions,
  IncomingOptions,
  ProviderAuthModuleOptions,
  ProviderEndpointOptions,
  ResolvedIncomingOptions,
  ResolvedProviderAuthOptions,
  ResolvedProviderOptions,
} from './provider-auth.options.js';
export { ProviderAuthConfigError, type ConfigIssue } from './provider-auth-config.error.js';

// Outgoing clients
export { AffilyncClient } from './client/affilync.client.js';
export { ConvertlyClient } from './client/convertly.client.js';
export { ProviderClient, type CallOptions, type ProviderResponse, type RequestOptions } from './client/provider-client.js';
export type { RateLimitStatus } from './client/rate-limit-store.interface.js';
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
  type ProviderErrorCode,
  type ProviderFieldError,
} from './client/errors.js';

// Typed resources: affilync.links.create(...), convertly.affiliates.list(...)
export { ListPromise, type ListPage } from './client/resources/list-promise.js';
export type { ResourceCallOptions } from './client/resources/endpoint.js';
export type {
  AffilyncCallTracking,
  AffilyncCalls,
  AffilyncCampaigns,
  AffilyncCommissions,
  AffilyncConversions,
  AffilyncEarnings,
  AffilyncLinks,
  AffilyncList,
  AffilyncResources,
  AffilyncTrackingNumbers,
  AffilyncWebhooks,
} from './client/resources/affilync.resources.js';
export type { ConvertlyAffiliates, ConvertlyList, ConvertlyResources } from './client/resources/convertly.resources.js';
export type {
  AffiliateId,
  AffilyncErrorCode,
  AffilyncEventId,
  AffilyncPage,
  AffilyncPageMeta,
  AffilyncPageQuery,
  AffilyncUserId,
  AffilyncWebhookEventName,
  Call,
  CallFlowId,
  CallId,
  CallOutcome,
  CallRecording,
  Campaign,
  CampaignId,
  ClickId,
  Commission,
  CommissionId,
  CommissionStatus,
  CommissionTier,
  Conversion,
  ConversionEventType,
  ConversionId,
  CreateLinkParams,
  CreateLinksResult,
  CreateTrackingNumberParams,
  CreateWebhookEndpointParams,
  CurrencyCode,
  EarningsSummary,
  IsoDate,
  IsoDateTime,
  Link,
  LinkId,
  LinkStatus,
  ListCallsQuery,
  ListCampaignsQuery,
  ListCommissionsQuery,
  ListLinksQuery,
  ListTrackingNumbersQuery,
  TrackConversionParams,
  TrackingNumber,
  TrackingNumberId,
  TrackingNumberType,
  WebhookEndpoint,
  WebhookEndpointId,
} from './dialects/affilync.types.js';
export type { ConvertlyAffiliate, ConvertlyCreatorStatus, ConvertlyPage, ConvertlyPageMeta, ListConvertlyAffiliatesQuery } from './dialects/convertly.types.js';
export { AFFILYNC_RESOURCES } from './dialects/affilync.endpoints.js';
export { CONVERTLY_RESOURCES } from './dialects/convertly.endpoints.js';
export { fromMinorUnits, isMoney, toMinorUnits, type Money } from './dialects/money.js';

// Token store seam
export { TokenStore, type StoredToken, type VersionedToken } from './client/token-store.interface.js';
export { InMemoryTokenStore } from './client/in-memory-token-store.js';
export { RateLimitStore, type RatePolicy, type RateReport, type RateReservation } from './client/rate-limit-store.interface.js';
export { InMemoryRateLimitStore } from './client/in-memory-rate-limit-store.js';

// Provider facts
export type { ProviderName, RateLimitInfo } from './dialects/dialect.interface.js';
export { AFFILYNC } from './dialects/affilync.dialect.js';
export { CONVERTLY } from './dialects/convertly.dialect.js';

// Incoming: guard, decorators, principal, passport strategy
export { ProviderAuthGuard } from './incoming/provider-auth.guard.js';
export { AffilyncWebhookGuard } from './incoming/affilync-webhook.guard.js';

// Webhooks: @AffilyncWebhook() routes, typed events, handlers per event, exactly-once handling
export { AffilyncWebhook } from './webhooks/affilync-webhook.decorator.js';
export { AffilyncEvent } from './webhooks/affilync-delivery.js';
export { OnAffilyncEvent } from './webhooks/on-affilync-event.decorator.js';
export { AffilyncWebhookInterceptor, DUPLICATE_DELIVERY_ANSWER } from './webhooks/affilync-webhook.interceptor.js';
export { AffilyncEventDispatcher } from './webhooks/affilync-event-dispatcher.js';
export { isKnownAffilyncEvent, parseAffilyncEnvelope } from './webhooks/affilync-envelope.js';
export { EventIdStore } from './webhooks/event-id-store.interface.js';
export { InMemoryEventIdStore } from './webhooks/in-memory-event-id-store.js';
export { DEFAULT_WEBHOOK_DEDUP_TTL_SEC, DEFAULT_WEBHOOK_LEASE_SEC } from './webhooks/webhook-options.js';
export type {
  AffiliateAppliedEvent,
  AffiliateApprovedEvent,
  AffilyncEventEnvelope,
  AffilyncEventOf,
  AffilyncWebhookDelivery,
  AffilyncWebhookEvent,
  CallCompletedData,
  CallCompletedEvent,
  CallStartedEvent,
  CampaignUpdatedEvent,
  ClickCreatedEvent,
  ConversionApprovedEvent,
  ConversionCreatedData,
  ConversionCreatedEvent,
  ConversionRejectedEvent,
  PayoutCompletedEvent,
  UndocumentedEventData,
  UnknownAffilyncWebhookEvent,
} from './dialects/affilync.events.js';
export { CurrentPrincipal, Public, PublicMetadata, Roles, RolesMetadata, Scopes, ScopesMetadata } from './incoming/decorators.js';
export { ROLES, type ApiKeyPrincipal, type JsonValue, type Principal, type Role, type UserPrincipal } from './incoming/principal.js';
export { CredentialVerifier, type Verification } from './incoming/credential-verifier.js';
export { ProviderAuthException, type Refusal } from './incoming/auth-answers.js';
export { ProviderAuthValidationException, type InvalidField } from './incoming/auth-answers.js';
export { DEFAULT_SCOPES } from './incoming/scope-catalogue.js';
export type { DefaultScope, ProviderAuthScopes, Scope } from './incoming/scope-catalogue.js';

// Issuing: tokens and API keys, and their stores
export { TokenService, type AccessTokenAnswer, type IssueInput, type SessionSummary, type TokenPair } from './issuing/token.service.js';
export { ApiKeyService, type ApiKeySummary, type CreateApiKeyInput } from './issuing/api-key.service.js';
export { ApiKeyStore, type ApiKeyRecord } from './issuing/api-key-store.interface.js';
export { InMemoryApiKeyStore } from './issuing/in-memory-api-key-store.js';
export { RefreshTokenStore, type AccessTokenRef, type StoredFamily, type TokenFamily } from './issuing/refresh-token-store.interface.js';
export { InMemoryRefreshTokenStore } from './issuing/in-memory-refresh-token-store.js';
export { LocalRevocationFeed, type RevocationFeed, type WithRevocationFeed } from './issuing/revocation-feed.js';
