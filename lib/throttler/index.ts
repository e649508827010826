// nest-provider-auth/throttler: rate limits on the app's own routes, on @nestjs/throttler.
// Its own export path, so that only apps using it need @nestjs/throttler.
export { limitByPrincipal, type PrincipalLimits } from './limit-by-principal.js';
export { ProviderThrottlerGuard } from './provider-throttler.guard.js';
export { RedisThrottlerStorage } from './redis-throttler-storage.js';
