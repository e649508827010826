// Types only: @opentelemetry/api is an optional peer, imported once at bootstrap by loadTelemetry().
import type * as OtelApi from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, Meter, Span, Tracer } from '@opentelemetry/api';
import type { CallTrace, ClientTelemetry, ProviderTelemetry, RetryReason, TokenExchangeKind } from './provider-telemetry.js';
import { routeTemplate } from './route-template.js';
import { ATTR, METRICS } from './telemetry-names.js';

export type OtelApiModule = typeof OtelApi;

/**
 * The instruments of one Meter, created once however many apps (or module instances) share it:
 * the SDK hands out one Meter per scope, and two observable callbacks for the same stream would
 * contradict each other. Counts on a hot path (cache lookups) are plain integers read at
 * collection time, so the guard's cached check pays an increment, not an attribute hash.
 */
class Instruments {
  readonly logins: Counter;
  readonly refreshes: Counter;
  readonly retries: Counter;
  readonly rateLimited: Counter;
  readonly rateLimitWait: Histogram;
  readonly refusals: Counter;
  credentialHits = 0;
  credentialMisses = 0;
  /** By provider: [hits, misses]. */
  readonly accounts = new Map<string, [number, number]>();

  constructor(meter: Meter) {
    this.logins = meter.createCounter(METRICS.logins, { description: 'Logins to a provider, by provider and outcome (success, failure)' });
    this.refreshes = meter.createCounter(METRICS.refreshes, { description: 'Token refreshes (renewals) at a provider, by provider and outcome' });
    this.retries = meter.createCounter(METRICS.retries, { description: 'Requests sent again, by provider and reason (rate_limited, server_error, network)' });
    this.rateLimited = meter.createCounter(METRICS.rateLimited, { description: '429 answers received, by provider' });
    this.rateLimitWait = meter.createHistogram(METRICS.rateLimitWait, {
      description: 'Time a call waited because of rate limits, by provider and reason (budget, retry_after)',
      unit: 'ms',
    });
    this.refusals = meter.createCounter(METRICS.refusals, { description: 'Incoming requests refused, by code and transport' });
    const HIT = { [ATTR.result]: 'hit' };
    const MISS = { [ATTR.result]: 'miss' };
    meter
      .createObservableCounter(METRICS.credentialCache, { description: 'Lookups in the cache of verified incoming credentials, by result (hit, miss)' })
      .addCallback((result) => {
        result.observe(this.credentialHits, HIT);
        result.observe(this.credentialMisses, MISS);
      });
    meter
      .createObservableCounter(METRICS.accountCache, { description: 'Lookups in the cache of per-account clients, by provider and result (hit, miss)' })
      .addCallback((result) => {
        for (const [provider, [hits, misses]] of this.accounts) {
          result.observe(hits, { [ATTR.provider]: provider, [ATTR.result]: 'hit' });
          result.observe(misses, { [ATTR.provider]: provider, [ATTR.result]: 'miss' });
        }
      });
  }
}

const instrumentsByMeter = new WeakMap<Meter, Instruments>();

/** Telemetry through the global tracer and meter providers of `@opentelemetry/api`. */
export class OtelTelemetry implements ProviderTelemetry {
  readonly enabled = true;
  readonly instruments: Instruments;
  private readonly clients = new Map<string, OtelClientTelemetry>();

  constructor(
    readonly api: OtelApiModule,
    readonly tracer: Tracer,
    meter: Meter,
  ) {
    let instruments = instrumentsByMeter.get(meter);
    if (!instruments) instrumentsByMeter.set(meter, (instruments = new Instruments(meter)));
    this.instruments = instruments;
  }

  forClient(provider: string, origin: string): ClientTelemetry {
    const key = `${provider} ${origin}`;
    let client = this.clients.get(key);
    if (!client) this.clients.set(key, (client = new OtelClientTelemetry(this, provider, origin)));
    return client;
  }

  refusal(code: string, transport: string): void {
    this.instruments.refusals.add(1, { [ATTR.code]: code, [ATTR.transport]: transport });
  }

  credentialCache(hit: boolean): void {
    if (hit) this.instruments.credentialHits++;
    else this.instruments.credentialMisses++;
  }

  accountCache(provider: string, hit: boolean): void {
    const { accounts } = this.instruments;
    let counts = accounts.get(provider);
    if (!counts) accounts.set(provider, (counts = [0, 0]));
    counts[hit ? 0 : 1]++;
  }
}

class OtelClientTelemetry implements ClientTelemetry {
  readonly enabled = true;
  /** Attributes every span and metric of this provider carries; built once. */
  readonly base: Attributes;
  readonly providerOnly: Attributes;
  readonly waitAttrs: { budget: Attributes; retry_after: Attributes };
  readonly retryAttrs: Record<RetryReason, Attributes>;
  readonly outcomeAttrs: Record<'success' | 'failure', Attributes>;

  constructor(
    readonly owner: OtelTelemetry,
    readonly provider: string,
    origin: string,
  ) {
    const url = new URL(origin);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    this.providerOnly = { [ATTR.provider]: provider };
    this.base = { [ATTR.provider]: provider, [ATTR.serverAddress]: url.hostname, [ATTR.serverPort]: port };
    this.waitAttrs = { budget: { ...this.providerOnly, [ATTR.reason]: 'budget' }, retry_after: { ...this.providerOnly, [ATTR.reason]: 'retry_after' } };
    this.retryAttrs = {
      rate_limited: { ...this.providerOnly, [ATTR.reason]: 'rate_limited' },
      server_error: { ...this.providerOnly, [ATTR.reason]: 'server_error' },
      network: { ...this.providerOnly, [ATTR.reason]: 'network' },
    };
    this.outcomeAttrs = { success: { ...this.providerOnly, [ATTR.outcome]: 'success' }, failure: { ...this.providerOnly, [ATTR.outcome]: 'failure' } };
  }

  call<T>(method: string, path: string, run: (trace: CallTrace) => Promise<T>): Promise<T> {
    const template = routeTemplate(path);
    return this.inSpan(`${this.provider} ${method} ${template}`, method, template, run, undefined);
  }

  tokenExchange<T>(kind: TokenExchangeKind, path: string, run: (trace: CallTrace) => Promise<T>): Promise<T> {
    return this.inSpan(
      `${this.provider} ${kind}`,
      'POST',
      routeTemplate(path),
      run,
      kind === 'login' ? this.owner.instruments.logins : this.owner.instruments.refreshes,
    );
  }

  accountCache(hit: boolean): void {
    this.owner.accountCache(this.provider, hit);
  }

  private inSpan<T>(name: string, method: string, template: string, run: (trace: CallTrace) => Promise<T>, outcomes: Counter | undefined): Promise<T> {
    const { api, tracer } = this.owner;
    const parent = api.context.active();
    const span = tracer.startSpan(
      name,
      { kind: api.SpanKind.CLIENT, attributes: { ...this.base, [ATTR.method]: method, [ATTR.urlTemplate]: template } },
      parent,
    );
    const trace = new SpanTrace(this, span);
    let running: Promise<T>;
    try {
      running = api.context.with(api.trace.setSpan(parent, span), run, undefined, trace);
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(
      (value) => {
        trace.end(undefined);
        outcomes?.add(1, this.outcomeAttrs.success);
        return value;
      },
      (error: unknown) => {
        trace.end(error);
        outcomes?.add(1, this.outcomeAttrs.failure);
        throw error;
      },
    );
  }
}

/** One call's (or login's) record, set on its span when it ends. */
class SpanTrace implements CallTrace {
  private attempts = 0;
  private status: number | undefined;
  private retryWaitMs = 0;
  private rateLimitWaitMs = 0;
  private budgetWaitMs = 0;

  constructor(
    private readonly client: OtelClientTelemetry,
    private readonly span: Span,
  ) {}

  sent(): void {
    this.attempts++;
  }

  answered(status: number): void {
    this.status = status;
    if (status === 429) this.client.owner.instruments.rateLimited.add(1, this.client.providerOnly);
  }

  retrying(reason: RetryReason, waitMs: number): void {
    const { instruments } = this.client.owner;
    instruments.retries.add(1, this.client.retryAttrs[reason]);
    if (reason === 'rate_limited') {
      this.rateLimitWaitMs += waitMs;
      instruments.rateLimitWait.record(waitMs, this.client.waitAttrs.retry_after);
    } else {
      this.retryWaitMs += waitMs;
    }
  }

  waitedForBudget(waitMs: number): void {
    this.rateLimitWaitMs += waitMs;
    this.budgetWaitMs += waitMs;
  }

  end(error: unknown): void {
    const { span } = this;
    if (this.budgetWaitMs > 0) this.client.owner.instruments.rateLimitWait.record(this.budgetWaitMs, this.client.waitAttrs.budget);
    const attributes: Attributes = {
      [ATTR.attempts]: this.attempts,
      [ATTR.retryWaitMs]: Math.round(this.retryWaitMs),
      [ATTR.rateLimitWaitMs]: Math.round(this.rateLimitWaitMs),
    };
    if (this.attempts > 1) attributes[ATTR.resendCount] = this.attempts - 1;
    if (this.status !== undefined) attributes[ATTR.statusCode] = this.status;
    if (error !== undefined) attributes[ATTR.errorType] = errorType(error);
    span.setAttributes(attributes);
    // The status carries no description: an error's message names the call's concrete path.
    if (error !== undefined) span.setStatus({ code: this.client.owner.api.SpanStatusCode.ERROR });
    span.end();
  }
}

/**
 * `error.type`: the error's class name (`ProviderRateLimitError`, `AbortError`, …). Only a plain
 * identifier is recorded: an abort reason is the caller's value, and could be anything.
 */
function errorType(error: unknown): string {
  const name = error instanceof Error ? error.name : undefined;
  return name !== undefined && /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/.test(name) ? name : '_OTHER';
}
