import { Logger, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../principal.js';
import type { CredentialSource, Transport, TransportRequest } from './transport.js';

/**
 * Where ProviderAuthWsAdapter (nest-provider-auth/websockets) keeps a `ws` client's upgrade request:
 * a raw `ws` socket does not keep it, and every guarded message is checked against it. A
 * `Symbol.for` key, so that the ESM and CommonJS copies of the package read each other's.
 */
export const UPGRADE_REQUEST: unique symbol = Symbol.for('nest-provider-auth:ws-upgrade-request');

/** What is kept of a `ws` client's upgrade request: what the bearer extraction reads, nothing else. */
export interface UpgradeRequestRecord {
  readonly headers: Record<string, unknown>;
  readonly rawHeaders: readonly string[];
  readonly url: string;
}

/** Records a `ws` client's upgrade request on the client, for the guard to read on each message. */
export function recordUpgradeRequest(client: object, request: { headers?: unknown; rawHeaders?: unknown; url?: unknown } | undefined): void {
  if (!request || typeof request.headers !== 'object' || request.headers === null) return;
  const record: UpgradeRequestRecord = Object.freeze({
    headers: { ...(request.headers as Record<string, unknown>) },
    rawHeaders: Array.isArray(request.rawHeaders) ? [...(request.rawHeaders as string[])] : [],
    url: typeof request.url === 'string' ? request.url : '',
  });
  Object.defineProperty(client, UPGRADE_REQUEST, { value: record, configurable: true });
}

type Holder = { user?: Principal };

/** A socket.io Socket, as far as the guard reads it. */
interface SocketIoClient extends Holder {
  handshake: { headers?: Record<string, unknown>; auth?: Record<string, unknown>; url?: unknown };
  request?: { rawHeaders?: unknown };
}

type WsClient = Holder & { [UPGRADE_REQUEST]?: UpgradeRequestRecord };

const logger = new Logger('ProviderAuthGuard');
let warnedAboutWsAdapter = false;

/**
 * Gateways (@SubscribeMessage handlers), socket.io and `ws` alike: the credential is the connection's
 * handshake, read on every message exactly as an HTTP request is (Authorization header only; an
 * `access_token` in the handshake URL is refused), plus socket.io's `auth.token`. The principal is
 * `client.user`. A `ws` client is understood only through ProviderAuthWsAdapter, which records its
 * upgrade request; without it every guarded message is denied.
 */
export const wsTransport: Transport = {
  request(context) {
    const client = context.switchToWs().getClient<unknown>();
    if (typeof client !== 'object' || client === null) return undefined;
    if (isSocketIo(client)) return { source: socketIoSource(client), holder: client };
    const record = (client as WsClient)[UPGRADE_REQUEST];
    if (record) return { source: { headers: record.headers, rawHeaders: record.rawHeaders, url: record.url }, holder: client as WsClient };
    if (!warnedAboutWsAdapter) {
      warnedAboutWsAdapter = true;
      logger.warn(
        'A guarded WebSocket message was denied: its client has no handshake to read. With @nestjs/platform-ws, use ProviderAuthWsAdapter from nest-provider-auth/websockets: app.useWebSocketAdapter(new ProviderAuthWsAdapter(app)).',
      );
    }
    return undefined;
  },

  principal(context: ExecutionContext) {
    const client = context.switchToWs().getClient<Holder | undefined>();
    return typeof client === 'object' && client !== null ? client.user : undefined;
  },

  async refusal(exception) {
    // An exception reaches the client with its error only as a WsException (others become
    // "Internal server error"). @nestjs/websockets is installed wherever a gateway exists.
    const { WsException } = await import('@nestjs/websockets');
    return new WsException(exception.getResponse() as object);
  },
};

function isSocketIo(client: object): client is SocketIoClient {
  const handshake = (client as Partial<SocketIoClient>).handshake;
  return typeof handshake === 'object' && handshake !== null;
}

/**
 * The socket.io handshake as a request: its headers, URL (the query string is checked, never read)
 * and raw header list; `auth.token` stands for an Authorization header. Both at once are one
 * credential too many (400, as two Authorization headers are).
 */
function socketIoSource(client: SocketIoClient): TransportRequest['source'] {
  const { handshake } = client;
  const headers: Record<string, unknown> = { ...(handshake.headers ?? {}) };
  const raw = client.request?.rawHeaders;
  const rawHeaders: unknown[] = Array.isArray(raw) ? [...(raw as unknown[])] : [];
  const token = handshake.auth?.token;
  if (token !== undefined && token !== null && token !== '') {
    const value = typeof token === 'string' && !/^bearer\s/i.test(token) ? `Bearer ${token}` : token;
    if (headers.authorization === undefined) {
      headers.authorization = value;
      if (!rawHeaders.some((h, i) => i % 2 === 0 && typeof h === 'string' && h.toLowerCase() === 'authorization')) rawHeaders.push('authorization', value);
    } else {
      rawHeaders.push('authorization', '', 'authorization', value);
    }
  }
  const source: CredentialSource = { headers, rawHeaders, url: typeof handshake.url === 'string' ? handshake.url : '' };
  return source;
}
