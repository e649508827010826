export { RedisApiKeyStore } from './redis-api-key-store.js';
export { RedisUnavailableError, type AnyRedisClient, type RedisStoreOptions } from './redis-connection.js';
export { RedisEventIdStore } from './redis-event-id-store.js';
export { RedisRefreshTokenStore } from './redis-refresh-token-store.js';
export { RedisRevocationFeed } from './redis-revocation-feed.js';
export { RedisTokenStore, type RedisTokenStoreOptions } from './redis-token-store.js';
export { RedisRateLimitStore } from './redis-rate-limit-store.js';
