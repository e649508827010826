import { ProviderClient, type ProviderClientCore } from './provider-client.js';
import { convertlyResources, type ConvertlyAffiliates } from './resources/convertly.resources.js';

/**
 * The Convertly API, authenticated by email/password; the token is renewed before its 24 h run
 * out. Inject it by class. Documented endpoints have typed methods (`client.affiliates.list()`);
 * anything else goes through paths relative to the base URL: `client.get('/affiliates')`.
 */
export class ConvertlyClient extends ProviderClient {
  /** GET /affiliates: Convertly's creators. */
  readonly affiliates: ConvertlyAffiliates;

  constructor(core: ProviderClientCore | undefined, block: string) {
    super(core, block);
    // Built from this instance, so every client (an account's too) has the same methods on its own credentials.
    this.affiliates = convertlyResources(this).affiliates;
  }
}
