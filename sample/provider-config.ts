import type { ProviderAuthModuleOptions } from '../lib/index.js';

/**
 * Which providers the sample talks to. Default: the embedded ProviderEmulator (no account, no
 * network). SAMPLE_PROVIDERS=real uses the real APIs with credentials from the environment.
 */
export function realProviderOptions(env: NodeJS.ProcessEnv): ProviderAuthModuleOptions {
  const options: ProviderAuthModuleOptions = {};
  if (env.AFFILYNC_API_KEY) {
    options.affilync = { baseUrl: env.AFFILYNC_BASE_URL, apiKey: env.AFFILYNC_API_KEY };
  } else if (env.AFFILYNC_EMAIL || env.AFFILYNC_PASSWORD) {
    options.affilync = { baseUrl: env.AFFILYNC_BASE_URL, email: env.AFFILYNC_EMAIL ?? '', password: env.AFFILYNC_PASSWORD ?? '' };
  }
  if (env.CONVERTLY_EMAIL || env.CONVERTLY_PASSWORD) {
    options.convertly = { baseUrl: env.CONVERTLY_BASE_URL, email: env.CONVERTLY_EMAIL ?? '', password: env.CONVERTLY_PASSWORD ?? '' };
  }
  // An unset base URL means the provider's documented one; drop undefined so validation sees none.
  for (const block of [options.affilync, options.convertly]) {
    if (block && block.baseUrl === undefined) delete block.baseUrl;
  }
  return options;
}
