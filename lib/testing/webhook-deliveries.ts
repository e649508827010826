import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as wait } from 'node:timers/promises';
import { WEBHOOK_EVENTS } from './affilync-vocabulary.js';
import type { RegisteredWebhook } from './emulator-state.js';
import type { EmulatedDelivery } from './emulator-types.js';
import { isoSeconds } from './fixtures.js';
import { signAffilyncWebhook } from './sign-webhook.js';

/**
 * Not documented: Affilync's "Retry Policy" section is [TRUNCATED] (PROVIDERS.md §1.7), so the
 * emulator retries on a schedule of its own: 1 min, 5 min, 30 min, 2 h, 5 h after each failure.
 */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([60_000, 300_000, 1_800_000, 7_200_000, 18_000_000]);
/** The most retries a schedule may hold. */
export const MAX_WEBHOOK_RETRIES = 20;
/** Not documented: an attempt with no answer (status line) by then has failed, like a refused connection. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** close() waits this long for attempts in flight, then aborts them. */
const CLOSE_GRACE_MS = 1_000;

export interface EmitOptions {
  /** Deliver the same event (same id, same bytes) twice, concurrently. */
  duplicate?: boolean;
  /** Milliseconds to wait before the first attempt. */
  delay?: number;
}

export interface DeliverySettings {
  /** Checked with checkRetryDelays. */
  retryDelaysMs: readonly number[];
  timeoutMs?: number;
  closeGraceMs?: number;
}

/** One event on its way to one webhook: the exact bytes, signed with that webhook's secret. */
interface Outgoing {
  readonly id: string;
  readonly event: string;
  readonly url: string;
  readonly body: string;
  readonly signature: string;
}

/** An attempt, recorded when made; its status arrives with the answer (or the failure). */
type Slot = Omit<EmulatedDelivery, 'status'> & { status?: number };

/** Everything started between two reset()s: its record, and the signals that end it. */
class Epoch {
  readonly attempts: Slot[] = [];
  /** Ends every wait (answer gates, delays, retry timers): reset() and close(). */
  readonly stop = new AbortController();
  /** Aborts the attempts in flight: reset() at once, close() after its grace period. */
  readonly abort = new AbortController();
  readonly inFlight = new Set<Promise<number>>();

  constructor() {
    // Every wait and attempt listens on these for as long as it lasts: no "possible leak" warning at 11.
    setMaxListeners(0, this.stop.signal, this.abort.signal);
  }
}

/**
 * The emulated Affilync's outgoing webhooks: each event goes, as `{ id, event, created_at, data }`
 * signed with `X-Affilync-Signature`, to every active webhook subscribed to it, and is retried on
 * the schedule after a non-2xx answer, a connection error or a timeout. It never throws into the
 * emulator, never logs, and its timers never keep the process alive.
 */
export class WebhookDeliveries {
  private epoch = new Epoch();
  /** Events not finished yet: waiting, in flight, or between retries. */
  private running = 0;
  private idle: (() => void)[] = [];
  private closing: Promise<void> | undefined;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  private readonly closeGraceMs: number;

  constructor(
    /** The registered webhooks, read when an event is emitted. */
    private readonly webhooks: () => readonly RegisteredWebhook[],
    settings: DeliverySettings,
  ) {
    this.retryDelaysMs = settings.retryDelaysMs;
    this.timeoutMs = settings.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.closeGraceMs = settings.closeGraceMs ?? CLOSE_GRACE_MS;
  }

  /** Every answered (or failed) attempt since the last reset(), in the order they were made. */
  get record(): readonly EmulatedDelivery[] {
    const done = this.epoch.attempts.filter((s): s is EmulatedDelivery => s.status !== undefined);
    return Object.freeze(done.map(({ id, event, url, attempt, status, at }) => Object.freeze({ id, event, url, attempt, status, at })));
  }

  /** ProviderEmulator.emitAffilyncEvent: checked arguments, then the event. */
  async emit(name: unknown, data: unknown, options?: unknown): Promise<{ id: string }> {
    const { duplicate, delay } = checkEmit(name, data, options);
    if (this.closing) throw new Error('ProviderEmulator.emitAffilyncEvent: the emulator is closed');
    return this.send(name as string, data as object, duplicate, delay);
  }

  /** An event the emulator itself fires: sent once `answered` resolves (the HTTP answer is out). */
  emitAfter(name: string, data: object, answered: Promise<void>): void {
    if (!this.closing) void this.send(name, data, false, 0, answered);
  }

  /** Resolves when no event is waiting, in flight or due for a retry. */
  flush(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  /** Forgets the record; every wait, scheduled retry and attempt in flight is called off. */
  reset(): void {
    const old = this.epoch;
    this.epoch = new Epoch();
    old.stop.abort();
    old.abort.abort();
  }

  /** No new attempt from now on; the ones in flight get closeGraceMs to be answered. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutDown(this.epoch);
    return this.closing;
  }

  private async shutDown(epoch: Epoch): Promise<void> {
    epoch.stop.abort();
    if (epoch.inFlight.size === 0) return;
    const graceOver = new AbortController();
    await Promise.race([Promise.all(epoch.inFlight), pause(this.closeGraceMs, graceOver.signal)]);
    graceOver.abort();
    epoch.abort.abort();
    await Promise.all(epoch.inFlight);
  }

  /** Resolves with the id once every first attempt is answered or failed (or called off); never rejects. */
  private send(name: string, data: object, duplicate: boolean, delay: number, answered?: Promise<void>): Promise<{ id: string }> {
    const id = `evt_${randomBytes(12).toString('hex')}`;
    const body = serialize({ id, event: name, created_at: isoSeconds(Date.now()), data });
    // A name the docs do not list reaches every webhook: the provider added an event nobody could subscribe to.
    const documented = WEBHOOK_EVENTS.includes(name);
    const targets = this.webhooks().filter((w) => w.status === 'active' && (!documented || w.events.includes(name)));
    const epoch = this.epoch;
    const stop = epoch.stop.signal;
    const firstRound = deferred();
    const everything = (async () => {
      try {
        if (answered && !(await until(answered, stop))) return;
        if (delay > 0 && !(await pause(delay, stop))) return;
        const copies = targets.flatMap((w) => {
          const outgoing: Outgoing = { id, event: name, url: w.url, body, signature: signAffilyncWebhook(body, w.secret) };
          return duplicate ? [outgoing, outgoing] : [outgoing];
        });
        const firsts = copies.map(() => deferred());
        const chains = copies.map((outgoing, i) => this.deliver(epoch, outgoing, firsts[i].resolve));
        await Promise.all(firsts.map((f) => f.promise));
        firstRound.resolve();
        await Promise.all(chains);
      } finally {
        firstRound.resolve();
      }
    })();
    this.track(everything);
    return firstRound.promise.then(() => ({ id }));
  }

  /** The attempts of one copy of an event to one webhook: the first, then a retry after each failure while the schedule lasts. */
  private async deliver(epoch: Epoch, outgoing: Outgoing, firstDone: () => void): Promise<void> {
    try {
      for (let attempt = 1; !epoch.stop.signal.aborted; attempt++) {
        const status = await this.attempt(epoch, outgoing, attempt);
        firstDone();
        if ((status >= 200 && status < 300) || attempt > this.retryDelaysMs.length) return;
        if (!(await pause(this.retryDelaysMs[attempt - 1], epoch.stop.signal))) return;
      }
    } finally {
      firstDone();
    }
  }

  /** One POST, recorded: its status, or 0 without an answer. */
  private async attempt(epoch: Epoch, outgoing: Outgoing, attempt: number): Promise<number> {
    const slot: Slot = { id: outgoing.id, event: outgoing.event, url: outgoing.url, attempt, at: new Date().toISOString() };
    epoch.attempts.push(slot);
    const request = this.post(outgoing, epoch.abort.signal);
    epoch.inFlight.add(request);
    slot.status = await request;
    epoch.inFlight.delete(request);
    return slot.status;
  }

  /**
   * Never rejects. Redirects are not followed: a 3xx is a failed attempt, as for a real sender.
   * The timeout is a timer of its own, not AbortSignal.timeout(): combined with AbortSignal.any()
   * on Node 20, that signal can be garbage-collected before it fires, and the attempt then waits
   * for undici's 300 s headers timeout.
   */
  private async post(outgoing: Outgoing, abort: AbortSignal): Promise<number> {
    if (abort.aborted) return 0;
    const controller = new AbortController();
    const cancel = () => controller.abort();
    const timer = setTimeout(cancel, this.timeoutMs);
    timer.unref();
    abort.addEventListener('abort', cancel, { once: true });
    try {
      const res = await fetch(outgoing.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-affilync-signature': outgoing.signature },
        body: outgoing.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      // The status is the answer; the body is not read.
      res.body?.cancel().catch(() => undefined);
      return res.status;
    } catch {
      return 0;
    } finally {
      clearTimeout(timer);
      abort.removeEventListener('abort', cancel);
    }
  }

  private track(work: Promise<void>): void {
    this.running++;
    const done = () => {
      if (--this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
    };
    work.then(done, done);
  }
}

/** The schedule of ProviderEmulator.start's `webhookRetryDelaysMs`, checked and copied. */
export function checkRetryDelays(value: unknown): readonly number[] {
  if (value === undefined) return DEFAULT_WEBHOOK_RETRY_DELAYS_MS;
  const where = 'ProviderEmulator: webhookRetryDelaysMs';
  if (!Array.isArray(value)) throw new TypeError(`${where} must be an array of milliseconds`);
  if (value.length > MAX_WEBHOOK_RETRIES) throw new RangeError(`${where} may hold at most ${MAX_WEBHOOK_RETRIES} delays, not ${value.length}`);
  const delays = Array.from(value, (ms: unknown, i) => {
    if (typeof ms !== 'number') throw new TypeError(`${where}[${i}] must be a number of milliseconds`);
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${where}[${i}] must be a finite, non-negative number of milliseconds`);
    return ms;
  });
  return Object.freeze(delays);
}

function checkEmit(name: unknown, data: unknown, options: unknown): { duplicate: boolean; delay: number } {
  const where = 'ProviderEmulator.emitAffilyncEvent';
  if (typeof name !== 'string') throw new TypeError(`${where}: name must be a string`);
  if (name.length === 0) throw new RangeError(`${where}: name must not be empty`);
  if (!isPlainObject(data)) throw new TypeError(`${where}: data must be a plain object`);
  if (options === undefined) return { duplicate: false, delay: 0 };
  if (!isPlainObject(options)) throw new TypeError(`${where}: options must be an object`);
  const { duplicate = false, delay = 0 } = options as EmitOptions;
  if (typeof duplicate !== 'boolean') throw new TypeError(`${where}: options.duplicate must be a boolean`);
  if (typeof delay !== 'number') throw new TypeError(`${where}: options.delay must be a number of milliseconds`);
  if (!Number.isFinite(delay) || delay < 0) throw new RangeError(`${where}: options.delay must be a finite, non-negative number of milliseconds`);
  return { duplicate, delay };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function serialize(envelope: object): string {
  try {
    return JSON.stringify(envelope);
  } catch (cause) {
    throw new TypeError('ProviderEmulator.emitAffilyncEvent: data must be JSON-serialisable', { cause });
  }
}

/** Node's longest timer; a longer one would fire after 1 ms (with a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** True after ms; false as soon as the signal aborts. Its timers never keep the process alive. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  for (let left = ms; !signal.aborted; left -= MAX_TIMER_MS) {
    const ok = await wait(Math.min(left, MAX_TIMER_MS), true, { signal, ref: false }).catch(() => false);
    if (!ok || left <= MAX_TIMER_MS) return ok;
  }
  return false;
}

/** True when the promise resolves first (it never rejects); false as soon as the signal aborts. */
function until(promise: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const calledOff = () => resolve(false);
    signal.addEventListener('abort', calledOff, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', calledOff);
      resolve(!signal.aborted);
    });
  });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
