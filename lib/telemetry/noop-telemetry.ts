import type { CallTrace, ClientTelemetry, ProviderTelemetry } from './provider-telemetry.js';

const NOOP_TRACE: CallTrace = Object.freeze({
  sent() {},
  answered() {},
  retrying() {},
  waitedForBudget() {},
});

const NOOP_CLIENT: ClientTelemetry = Object.freeze({
  enabled: false,
  call: <T>(_method: string, _path: string, run: (trace: CallTrace) => Promise<T>) => run(NOOP_TRACE),
  tokenExchange: <T>(_kind: string, _path: string, run: (trace: CallTrace) => Promise<T>) => run(NOOP_TRACE),
  accountCache() {},
});

/** Telemetry when `@opentelemetry/api` is absent or no SDK is registered: records nothing, costs nothing. */
export const NOOP_TELEMETRY: ProviderTelemetry = Object.freeze({
  enabled: false,
  forClient: () => NOOP_CLIENT,
  refusal() {},
  credentialCache() {},
  accountCache() {},
});
