/** Where a client gets the value for `Authorization: Bearer …`, and how it renews it after a 401. */
export interface CredentialSource {
  /** The credential to use now (logging in or refreshing first if needed). */
  current(signal?: AbortSignal): Promise<string>;
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
  constructor(private readonly apiKey: string) {}

  async current(): Promise<string> {
    return this.apiKey;
  }

  async afterRejection(): Promise<undefined> {
    return undefined;
  }

  secrets(): readonly string[] {
    return [this.apiKey];
  }
}
