import { STATUS_CODES } from 'node:http';
import type { EmulatedProvider, FaultSpec } from './emulator-types.js';

interface QueuedFault {
  readonly spec: FaultSpec;
  remaining: number;
}

/** Faults waiting to hit requests, in the order they were queued. */
export class FaultQueue {
  private readonly queue: QueuedFault[] = [];

  add(spec: FaultSpec): void {
    validate(spec);
    this.queue.push({ spec: { ...spec, headers: spec.headers && { ...spec.headers } }, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The first fault matching this request, with one use taken from it. */
  take(provider: EmulatedProvider, method: string, path: string | undefined): FaultSpec | undefined {
    const i = this.queue.findIndex(
      (f) =>
        f.spec.provider === provider &&
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method) &&
        (f.spec.path === undefined || f.spec.path === path),
    );
    if (i < 0) return undefined;
    const fault = this.queue[i];
    if (--fault.remaining <= 0) this.queue.splice(i, 1);
    return fault.spec;
  }
}

/** Whether the fault replaces the answer (rather than only delaying it or adding headers). */
export function faultAnswers(spec: FaultSpec): boolean {
  return spec.status !== undefined || spec.body !== undefined;
}

/** The headers a fault adds to whatever is answered. */
export function faultHeaders(spec: FaultSpec): Record<string, string> {
  return { ...(spec.retryAfter !== undefined ? { 'retry-after': spec.retryAfter } : {}), ...spec.headers };
}

/** The text of a status' reason phrase, e.g. 503 → 'Service Unavailable'. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function validate(spec: FaultSpec): void {
  const fail = (what: string) => {
    throw new RangeError(`ProviderEmulator.fault: ${what}`);
  };
  if (spec?.provider !== 'affilync' && spec?.provider !== 'convertly') fail(`unknown provider ${String(spec?.provider)}`);
  if (spec.path !== undefined && !spec.path.startsWith('/')) fail(`path must start with '/' (got ${spec.path})`);
  const times = spec.times ?? 1;
  if (!(times === Infinity || (Number.isInteger(times) && times >= 1))) fail('times must be a positive integer or Infinity');
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 200 && spec.status <= 599)) {
    fail('status must be an integer from 200 to 599');
  }
  if (spec.delayMs !== undefined && !(Number.isFinite(spec.delayMs) && spec.delayMs >= 0)) fail('delayMs must be >= 0');
}
