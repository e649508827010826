export { ProviderEmulator } from './provider-emulator.js';
export {
  EMULATOR_DEFAULT_USER,
  type EmulatedProvider,
  type EmulatorAffilyncAuth,
  type EmulatorClientOptions,
  type EmulatorOptions,
  type EmulatorUser,
  type FaultSpec,
  type ProviderCounters,
} from './emulator-types.js';
export { signAffilyncWebhook } from './sign-webhook.js';
