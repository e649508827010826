import { WsAdapter } from '@nestjs/platform-ws';
import { recordUpgradeRequest } from '../incoming/transports/ws-transport.js';

type ConnectionListener = (client: WsClientLike, request: unknown, ...rest: unknown[]) => void;

interface WsClientLike {
  readyState?: number;
  send?: (data: string) => void;
  on?: (event: string, listener: (payload: unknown) => void) => unknown;
}

interface WsServerLike {
  on(event: 'connection', listener: ConnectionListener): unknown;
}

const OPEN = 1;

/**
 * @nestjs/platform-ws's WsAdapter, plus what ProviderAuthGuard needs on a raw `ws` socket: each
 * client keeps its upgrade request's headers and URL, so that every guarded @SubscribeMessage
 * handler is checked against the handshake's Authorization header (a `ws` socket does not keep its
 * upgrade request). Without it, guarded messages of `ws` clients are denied.
 *
 * @example app.useWebSocketAdapter(new ProviderAuthWsAdapter(app));
 */
export class ProviderAuthWsAdapter extends WsAdapter {
  override bindClientConnect(server: WsServerLike, callback: ConnectionListener): void {
    server.on('connection', (client, request, ...rest) => {
      recordUpgradeRequest(client, request as Parameters<typeof recordUpgradeRequest>[1]);
      deliverExceptions(client);
      callback(client, request, ...rest);
    });
  }
}

/**
 * Nest 11's exception filter "emits" a refusal on a `ws` socket, which only notifies local
 * listeners: the client never hears of it. Sent as Nest 12 sends it, `{ event: 'exception', data }`.
 * (Nest 12's filter sends it itself and emits nothing, so nothing is sent twice.)
 */
function deliverExceptions(client: WsClientLike): void {
  if (typeof client.on !== 'function' || typeof client.send !== 'function') return;
  client.on('exception', (data) => {
    if (client.readyState === OPEN) client.send!(JSON.stringify({ event: 'exception', data }));
  });
}
