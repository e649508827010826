/**
 * A user's gateway app on either WebSocket adapter, and a client for each: socket.io-client, or a
 * plain `ws` socket speaking Nest's `{ event, data }` frames.
 */
import { type INestApplication, type Type } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { ApiKeyService, ProviderAuthModule, TokenService, type IncomingOptions } from '../../lib/index.js';
import { ProviderAuthWsAdapter } from '../../lib/websockets/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';

export type AdapterName = 'socket.io' | 'ws';

/** What one message got back: the handler's reply, or the exception the client was sent. */
export type Outcome = { reply: unknown } | { exception: unknown } | { silence: true };

/** How long a message may go unanswered before the client calls it silence. */
const SILENCE_MS = 2_000;

export interface Handshake {
  /** The Authorization header of the handshake (the upgrade request). */
  authorization?: string;
  /** socket.io's `auth: { token }`. */
  authToken?: unknown;
  /** Query string of the handshake URL, e.g. `access_token=…`. */
  query?: Record<string, string>;
}

export interface TestClient {
  /** Sends one message and waits for its reply or exception. */
  call(event: string, data?: unknown): Promise<Outcome>;
  close(): void;
}

export interface GatewayApp {
  app: INestApplication;
  keys: ApiKeyService;
  tokens: TokenService;
  logger: CapturingLogger;
  connect(handshake?: Handshake): Promise<TestClient>;
  close(): Promise<void>;
}

export interface StartOptions {
  incoming?: Partial<IncomingOptions>;
  globalGuard?: boolean;
  /** For `ws`: the plain WsAdapter instead of ProviderAuthWsAdapter. */
  plainWsAdapter?: boolean;
}

export const JWT_SECRET = 'websockets-suite-hs256-secret-0123456789';

export async function startGateway(adapter: AdapterName, gateways: Type[], opts: StartOptions = {}): Promise<GatewayApp> {
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: JWT_SECRET, ...opts.incoming }, globalGuard: opts.globalGuard })],
    providers: gateways,
  })
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication();
  app.useWebSocketAdapter(adapter === 'socket.io' ? new IoAdapter(app) : opts.plainWsAdapter ? new WsAdapter(app) : new ProviderAuthWsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const clients = new Set<TestClient>();
  return {
    app,
    keys: app.get(ApiKeyService),
    tokens: app.get(TokenService),
    logger,
    async connect(handshake = {}) {
      const client = adapter === 'socket.io' ? await socketIoClient(port, handshake) : await wsClient(port, handshake);
      clients.add(client);
      return client;
    },
    async close() {
      for (const c of clients) c.close();
      await app.close();
    },
  };
}

function socketIoClient(port: number, h: Handshake): Promise<TestClient> {
  const socket: Socket = io(`http://127.0.0.1:${port}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: h.authorization === undefined ? {} : { authorization: h.authorization },
    auth: h.authToken === undefined ? {} : { token: h.authToken },
    query: h.query,
  });
  const client: TestClient = {
    call(event, data) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => done({ silence: true }), SILENCE_MS);
        const done = (outcome: Outcome) => {
          clearTimeout(timer);
          socket.off('reply', onReply);
          socket.off('exception', onException);
          resolve(outcome);
        };
        const onReply = (reply: unknown) => done({ reply });
        const onException = (exception: unknown) => done({ exception });
        socket.on('reply', onReply);
        socket.on('exception', onException);
        socket.emit(event, data ?? {});
      });
    },
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', reject);
  });
}

function wsClient(port: number, h: Handshake): Promise<TestClient> {
  const query = h.query ? `?${new URLSearchParams(h.query).toString()}` : '';
  const socket = new WebSocket(`ws://127.0.0.1:${port}/${query}`, { headers: h.authorization === undefined ? {} : { authorization: h.authorization } });
  const client: TestClient = {
    call(event, data) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          resolve({ silence: true });
        }, SILENCE_MS);
        const onMessage = (raw: Buffer) => {
          clearTimeout(timer);
          const frame = JSON.parse(raw.toString()) as { event: string; data: unknown };
          resolve(frame.event === 'exception' ? { exception: frame.data } : { reply: frame.data });
        };
        socket.once('message', onMessage);
        socket.send(JSON.stringify({ event, data: data ?? {} }));
      });
    },
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}
