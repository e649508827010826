/** Injection token of the validated options (defaults applied; one token for the ESM and CommonJS builds). */
export const PROVIDER_AUTH_OPTIONS = Symbol.for('nest-provider-auth:PROVIDER_AUTH_OPTIONS');

/** Logger context of everything this module logs. */
export const LOGGER_CONTEXT = 'ProviderAuth';
