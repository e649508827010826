import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, type LoggerService } from '@nestjs/common';

/**
 * Keeps the emulator's own Nest applications quiet without touching anyone else's logging.
 *
 * Why not NestFactory's `logger` option: Nest has no per-application logger. Any `logger` value
 * but true (and an app's `useLogger`) replaces the one static logger of the whole process, through
 * which every `new Logger(context)` — Nest's own and the user's — prints. Swapping it, even just
 * for the emulator's bootstrap and back, loses what the user's app logs meanwhile, and a user app
 * bootstrapping concurrently swaps it under our feet. A logger that forwards all but the
 * emulator's lines would still run the user's buffered (`bufferLogs`) lines through itself when
 * the emulator's init flushes them, inside the emulator's context, and drop them.
 *
 * How: while an emulator is open, three static fields of Nest's Logger become accessors that
 * answer by async context. Inside the emulator's own context (its bootstrap, the requests its
 * servers handle, its close) they read as "no logger, no log buffer" and ignore writes: Nest's
 * startup lines, and a flush of someone else's buffered lines started by the emulator's init,
 * are no-ops there. Everywhere else they read and write the real values, so the user's logger,
 * log levels and buffering (`bufferLogs`) behave exactly as without the emulator, and a logger
 * the user installs meanwhile lands as usual. When the last emulator closes, they become plain
 * fields again, holding the latest values. Nothing is ever swapped, so nothing can be clobbered.
 *
 * The fields are Nest's (the same names in Nest 11 and 12): `staticInstanceRef` is the process's
 * logger, `isBufferAttached` and `logBuffer` hold the `bufferLogs` lines until a flush. Were they
 * renamed, the emulator would print Nest's startup lines; it would never silence the user.
 */
const SILENT: LoggerService = Object.freeze({
  log() {},
  error() {},
  warn() {},
  debug() {},
  verbose() {},
  fatal() {},
  setLogLevels() {},
});

const QUIET_FIELDS: Readonly<Record<string, () => unknown>> = {
  staticInstanceRef: () => SILENT,
  isBufferAttached: () => false,
  // A fresh empty array per read: whatever is pushed or flushed in our context goes nowhere.
  logBuffer: () => [],
};

interface QuietState {
  readonly context: AsyncLocalStorage<true>;
  /** Open leases; the accessors are installed while there is one. */
  holders: number;
  /** Each field's plain value, seen and set outside the emulator's context. */
  readonly values: Map<string, unknown>;
  readonly getters: Map<string, () => unknown>;
}

/** One state per Logger class, shared by every copy of this library loaded in the process (ESM and CommonJS). */
const STATE = Symbol.for('nest-provider-auth:quiet-emulator-logs');
const loggerClass = Logger as unknown as Record<PropertyKey, unknown>;

function state(): QuietState {
  return (loggerClass[STATE] ??= { context: new AsyncLocalStorage<true>(), holders: 0, values: new Map(), getters: new Map() }) as QuietState;
}

function install(s: QuietState): void {
  const current = Object.getOwnPropertyDescriptor(Logger, 'staticInstanceRef');
  if (!current || !('value' in current)) return; // not the Nest we know (or someone else's accessor): stay out
  for (const [field, quiet] of Object.entries(QUIET_FIELDS)) {
    const own = Object.getOwnPropertyDescriptor(Logger, field);
    if (own && !('value' in own)) continue;
    s.values.set(field, own?.value);
    const get = () => (s.context.getStore() ? quiet() : s.values.get(field));
    s.getters.set(field, get);
    Object.defineProperty(Logger, field, {
      configurable: true,
      enumerable: own?.enumerable ?? true,
      get,
      set: (value: unknown) => {
        if (!s.context.getStore()) s.values.set(field, value);
      },
    });
  }
}

function uninstall(s: QuietState): void {
  for (const [field, get] of s.getters) {
    const own = Object.getOwnPropertyDescriptor(Logger, field);
    if (own?.get !== get) continue; // replaced since: not ours to touch
    Object.defineProperty(Logger, field, { configurable: true, enumerable: own.enumerable, writable: true, value: s.values.get(field) });
  }
  s.getters.clear();
  s.values.clear();
}

/** A hold on quiet Nest logging for one emulator: run its work inside, release it when the emulator is closed. */
export class QuietNestLogs {
  private released = false;

  private constructor(private readonly s: QuietState) {}

  static acquire(): QuietNestLogs {
    const s = state();
    if (s.holders++ === 0) install(s);
    return new QuietNestLogs(s);
  }

  /** Runs fn in the emulator's context: Nest logs nothing there, and everything it starts stays there. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.s.context.run(true, fn);
  }

  /** Idempotent. The last release turns the fields back into plain ones. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (--this.s.holders === 0) uninstall(this.s);
  }
}
