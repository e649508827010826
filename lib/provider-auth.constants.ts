/** Injection token of the validated options (defaults applied). */
export const PROVIDER_AUTH_OPTIONS = Symbol('PROVIDER_AUTH_OPTIONS');

/** Logger context of everything this module logs. */
export const LOGGER_CONTEXT = 'ProviderAuth';
