import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { secretAudit } from './secret-audit.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The raw request target, query included (to check nothing secret is in a URL). */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** Never answer. */
  hang?: boolean;
  /** Cut the connection without answering (a network error for the client). */
  destroy?: boolean;
}

export type FakeHandler = (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

/** A small loopback HTTP server whose answers the test writes; records every request. */
export class FakeServer {
  readonly requests: FakeRequest[] = [];
  /** TCP connections accepted so far (a client's pool reuses its sockets while they are kept alive). */
  connectionsOpened = 0;
  /** The most TCP connections open at once. */
  peakConnections = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private handler: FakeHandler,
  ) {
    server.on('connection', (s) => {
      this.connectionsOpened++;
      this.sockets.add(s);
      this.peakConnections = Math.max(this.peakConnections, this.sockets.size);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('request', (req, res) => void this.handle(req, res));
  }

  static async start(handler: FakeHandler): Promise<FakeServer> {
    const fake = new FakeServer(createServer(), handler);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  setHandler(handler: FakeHandler): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const fr: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(fr);
    secretAudit.recordText('URL received', fr.url);
    const answer = await this.handler(fr);
    if (answer.hang) return;
    if (answer.destroy) {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { ...answer.headers };
    let body = answer.text ?? '';
    if (answer.json !== undefined) {
      body = JSON.stringify(answer.json);
      headers['content-type'] ??= 'application/json';
    }
    res.writeHead(answer.status ?? 200, headers);
    res.end(body);
  }
}
