import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A webhook delivery as it arrived: the raw body bytes, and when (Date.now()) it had fully arrived. */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** How the receiver answers: a status, or `hang` (never answer until closed); possibly later (a promise). */
export type ReceiverAnswer = number | 'hang' | Promise<number | 'hang'>;

/**
 * A loopback HTTP server standing in for the user's webhook endpoint: records every request with
 * its raw bytes, answers with the status the test sets (200 unless told), and can be closed and
 * started again on the same port (a receiver that was down for a while).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private answer: (req: ReceivedWebhook) => ReceiverAnswer,
  ) {
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
        this.received.push(received);
        void Promise.resolve(this.answer(received)).then((answer) => {
          if (answer === 'hang' || res.destroyed) return;
          res.writeHead(answer, { 'content-type': 'text/plain' });
          res.end(answer < 300 ? 'ok' : 'no');
        });
      });
    });
  }

  static async start(answer: (req: ReceivedWebhook) => ReceiverAnswer = () => 200, port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(createServer(), answer);
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(port, '127.0.0.1', resolve);
    });
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  setAnswer(answer: (req: ReceivedWebhook) => ReceiverAnswer): void {
    this.answer = answer;
  }

  /** The requests received on this path. */
  on(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once `count` requests (on `path`, if given) have arrived; rejects after timeoutMs. */
  async waitFor(count: number, path?: string, timeoutMs = 5_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = path === undefined ? this.received : this.on(path);
      if (got.length >= count) return got;
      if (Date.now() > deadline) throw new Error(`WebhookReceiver: ${got.length} of ${count} requests after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops listening and drops every connection (a hanging request included). */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
