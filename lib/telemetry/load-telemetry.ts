import { NOOP_TELEMETRY } from './noop-telemetry.js';
import type { OtelApiModule } from './otel-telemetry.js';
import { OtelTelemetry } from './otel-telemetry.js';
import type { ProviderTelemetry } from './provider-telemetry.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './telemetry-names.js';

/**
 * The module's telemetry, decided once at bootstrap: `@opentelemetry/api` (an optional peer) is
 * imported here and nowhere else. Without the package, or without a tracer or meter provider
 * registered by then (the package is often present only as someone else's dependency), it is the
 * no-op: nothing is logged, nothing is recorded, and hot paths skip it with one property check.
 * The tracer and meter come from the global providers, so the app's own SDK setup is used.
 *
 * @param importer how the package is imported; tests pass one that rejects, to play its absence.
 */
export async function loadTelemetry(importer: () => Promise<unknown> = () => import('@opentelemetry/api')): Promise<ProviderTelemetry> {
  let api: OtelApiModule;
  try {
    const loaded = (await importer()) as (OtelApiModule & { default?: OtelApiModule }) | undefined;
    // As ESM the package's CommonJS build may arrive as a namespace whose `default` holds the exports.
    api = (loaded?.trace ? loaded : loaded?.default) as OtelApiModule;
    if (typeof api?.trace?.getTracer !== 'function' || typeof api.metrics?.getMeter !== 'function' || typeof api.context?.with !== 'function') {
      return NOOP_TELEMETRY;
    }
  } catch {
    return NOOP_TELEMETRY;
  }
  try {
    const provider = api.trace.getTracerProvider() as { getDelegateTracer?: (name: string, version?: string) => unknown };
    // The API's own ProxyTracerProvider has no delegate until an SDK registers one.
    const tracing = typeof provider.getDelegateTracer !== 'function' || provider.getDelegateTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION) !== undefined;
    const meter = api.metrics.getMeter(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
    const metering = typeof api.createNoopMeter !== 'function' || meter !== api.createNoopMeter();
    if (!tracing && !metering) return NOOP_TELEMETRY;
    return new OtelTelemetry(api, api.trace.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION), meter);
  } catch {
    // An SDK that throws while handing out its tracer or meter must not stop the app.
    return NOOP_TELEMETRY;
  }
}
