import type { ExecutionContext } from '@nestjs/common';
import type { Principal } from '../principal.js';
import type { Transport } from './transport.js';

type Holder = { user?: Principal };

/**
 * Microservice handlers: the credential is wherever `incoming.rpcCredential(context)` finds it (a
 * message has no standard header); without that option every guarded handler is denied. The
 * principal is kept on the message's context object (TcpContext, RedisContext, …), where
 * @CurrentPrincipal() reads it.
 */
export const rpcTransport: Transport = {
  request(context, options) {
    if (!options.rpcCredential) return undefined;
    const value = options.rpcCredential(context);
    const holder = holderOf(context);
    if (!holder) return undefined;
    // Read as an Authorization header is, so the same checks apply; nothing: 401 as a request without one.
    const headers = typeof value === 'string' && value !== '' ? { authorization: `Bearer ${value}` } : {};
    return { source: { headers }, holder };
  },

  principal(context) {
    return holderOf(context)?.user;
  },

  async refusal(exception) {
    // Only an RpcException reaches the caller with its error (others become "Internal server error").
    // @nestjs/microservices is installed wherever an RPC context exists.
    const { RpcException } = await import('@nestjs/microservices');
    return new RpcException(exception.getResponse() as object);
  },
};

function holderOf(context: ExecutionContext): Holder | undefined {
  const rpc = context.switchToRpc();
  const ctx: unknown = rpc.getContext();
  if (typeof ctx === 'object' && ctx !== null) return ctx as Holder;
  const data: unknown = rpc.getData();
  return typeof data === 'object' && data !== null ? (data as Holder) : undefined;
}
