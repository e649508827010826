/** Where a client gets the value for `Authorization: Bearer …`, and how it renews it after a 401. */
export interface CredentialSource {
  /** The credential to use now (logging in or refreshing first if needed). */
  current(signal?: AbortSignal): Promise<string>;
  /** The credential to use now when it is at hand without any I/O (else undefined: call current()). */
  currentNow(): string | undefined;
  /**
   * A call sent with `used` got 401. Resolves to the credential to replay with (renewed only if
   * `used` is still the current one), or undefined when there is nothing to renew (API keys).
   */
  afterRejection(used: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Secrets this source holds, so error text can be scrubbed of them. */
  secrets(): readonly (string | undefined)[];
}

/** API-key mode: the key is the credential; nothing to log in to or renew. */
export class ApiKeyCredential implements CredentialSource {
  /**
   * @param prefix the provider's documented key prefix (`afk_live_`): the part after it is
   *   secret on its own, and a provider may echo only that part.
   */
  constructor(
    private readonly apiKey: string,
    private readonly prefix?: string,
  ) {}

  async current(): Promise<string> {
    return this.apiKey;
  }

  currentNow(): string {
    return this.apiKey;
  }

  async afterRejection(): Promise<undefined> {
    return undefined;
  }

  secrets(): readonly string[] {
    const { apiKey, prefix } = this;
    const hasPrefix = prefix !== undefined && apiKey.toLowerCase().startsWith(prefix.toLowerCase()) && apiKey.length > prefix.length;
    return hasPrefix ? [apiKey, apiKey.slice(prefix.length)] : [apiKey];
  }
}
