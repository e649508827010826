import { ProviderClient } from './provider-client.js';

/**
 * The Convertly API, authenticated by email/password; the token is renewed before its 24 h run
 * out. Inject it by class; paths are relative to the base URL: `client.get('/affiliates')`.
 */
export class ConvertlyClient extends ProviderClient {}
