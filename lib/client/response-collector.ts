import type { Dispatcher } from 'undici';

export interface CollectedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Why an exchange ended early: our timer, or the caller's signal. */
export class ExchangeAborted extends Error {
  constructor(readonly why: 'timeout' | 'caller') {
    super(why === 'timeout' ? 'timed out' : 'aborted by the caller');
    this.name = 'ExchangeAborted';
  }
}

/** The answer's body was (or announced it would be) larger than the limit; it was dropped unread. */
export class ResponseTooLarge extends Error {
  constructor(
    readonly status: number,
    readonly limit: number,
  ) {
    super(`answer body over ${limit} bytes`);
    this.name = 'ResponseTooLarge';
  }
}

/** How much of an answer the collector may keep. */
export interface BodyLimit {
  maxBytes: number;
  /** A HEAD answer's content-length describes a body that is not sent: not held against the limit. */
  bodyless: boolean;
}

/**
 * One request through undici's dispatch API, its whole body collected as text.
 *
 * Why not `pool.request({ signal })`: handing undici an AbortSignal per request (for our
 * timeout) halved the client's throughput (listeners added and removed on every request), and
 * undici's own headersTimeout fires up to a second late. Here the timeout is one native timer
 * that aborts through undici's dispatch controller, and a caller's signal is listened to only
 * when there is one.
 */
export class ResponseCollector implements Dispatcher.DispatchHandler {
  readonly done: Promise<CollectedResponse>;
  private resolve!: (r: CollectedResponse) => void;
  private reject!: (e: unknown) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private ended: ExchangeAborted | ResponseTooLarge | undefined;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    timeoutMs: number,
    private readonly limit: BodyLimit,
    private readonly signal?: AbortSignal,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(abortOnTimeout, timeoutMs, this);
    if (signal) {
      this.onCallerAbort = () => this.abort(new ExchangeAborted('caller'));
      signal.addEventListener('abort', this.onCallerAbort, { once: true });
      if (signal.aborted) this.onCallerAbort();
    }
  }

  /** Ends the exchange now; the connection is aborted as soon as undici has one for it. */
  abort(reason: ExchangeAborted | ResponseTooLarge): void {
    if (this.ended) return;
    this.ended = reason;
    this.finish();
    this.reject(reason);
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.ended) controller.abort(this.ended);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = headers;
    // Refused before a byte of it is read: waiting for 400 MB only to drop it costs time and memory.
    const announced = this.limit.bodyless ? undefined : contentLength(headers);
    if (announced !== undefined && announced > this.limit.maxBytes) this.abort(new ResponseTooLarge(statusCode, this.limit.maxBytes));
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.ended) return;
    // A body without a length (or lying about it) is cut off at the byte that crosses the limit.
    this.received += chunk.length;
    if (this.received > this.limit.maxBytes) {
      this.abort(new ResponseTooLarge(this.status, this.limit.maxBytes));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.ended) return;
    this.finish();
    const text = this.chunks.length === 1 ? this.chunks[0].toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, text });
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    if (this.ended) return;
    this.ended = error instanceof ExchangeAborted ? error : new ExchangeAborted('caller');
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    clearTimeout(this.timer);
    if (this.onCallerAbort) this.signal!.removeEventListener('abort', this.onCallerAbort);
  }
}

/** A content-length header's value when it is one clean number; otherwise the streamed count decides. */
function contentLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const raw = headers['content-length'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

function abortOnTimeout(collector: ResponseCollector): void {
  collector.abort(new ExchangeAborted('timeout'));
}
