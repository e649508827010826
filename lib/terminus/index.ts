// nest-provider-auth/terminus: a health indicator for @nestjs/terminus (stores, revocation feeds,
// providers). Its own export path, so that only apps using it need @nestjs/terminus.
export { ProviderAuthHealthIndicator } from './provider-auth.health-indicator.js';
export type { ProviderAuthHealthOptions } from './health-options.js';
