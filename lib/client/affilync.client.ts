import { ProviderClient } from './provider-client.js';

/**
 * The Affilync API, authenticated with an API key or by email/password with rotating refresh
 * tokens. Inject it by class; paths are relative to the base URL: `client.get('/campaigns')`.
 */
export class AffilyncClient extends ProviderClient {}
