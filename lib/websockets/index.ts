// nest-provider-auth/websockets: what gateways on @nestjs/platform-ws need for ProviderAuthGuard.
// Its own export path, so that only apps using it need @nestjs/websockets and @nestjs/platform-ws
// (gateways on socket.io need nothing from here).
export { ProviderAuthWsAdapter } from './provider-auth-ws.adapter.js';
