import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * An HTTP server on 127.0.0.1 at a random port that can be shut down at once: close() drops every
 * socket (hanging requests included) and wakes every pending delay.
 */
export class EmulatorServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();
  private closing: Promise<void> | undefined;

  constructor(handler: RequestHandler) {
    this.server = createServer((req, res) => {
      handler(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A broken request from a client: drop it quietly (the default would answer 400; no logging either way).
    this.server.on('clientError', (_err: Error, socket: Socket) => socket.destroy());
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Starts listening; resolves to the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Resolves true after ms, or false as soon as the server closes. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (ok: boolean) => {
        clearTimeout(timer);
        this.sleepers.delete(cancel);
        resolve(ok);
      };
      const cancel = () => wake(false);
      const timer = setTimeout(() => wake(true), ms);
      this.sleepers.add(cancel);
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const cancel of [...this.sleepers]) cancel();
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}
