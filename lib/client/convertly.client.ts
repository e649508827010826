import type { ConvertlyAccount } from '../provider-auth.options.js';
import type { ProviderClientKit } from './client-factory.js';
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

  constructor(kit: ProviderClientKit | undefined, block: string, core?: ProviderClientCore) {
    super(kit, block, core);
    // Built from this instance, so every client (an account's too) has the same methods on its own credentials.
    this.affiliates = convertlyResources(this).affiliates;
  }

  /**
   * The same client for another Convertly login, with tokens, renewals and rate budget of its own
   * (`plan` paces it, as in forRoot); the module keeps up to `accountsCacheSize` of them ready.
   *
   * @example
   * const page = await convertly.forAccount({ email: brand.email, password: brand.password, plan: 'scale' }).affiliates.list();
   */
  forAccount(credentials: ConvertlyAccount): ConvertlyClient {
    return this.accountClient(credentials, (core) => new ConvertlyClient(this.kit, this.block, core));
  }
}
