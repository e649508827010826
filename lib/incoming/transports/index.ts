import { graphqlTransport } from './graphql-transport.js';
import { rpcTransport } from './rpc-transport.js';
import type { Transport } from './transport.js';
import { wsTransport } from './ws-transport.js';

/**
 * The transports ProviderAuthGuard understands besides HTTP, by ExecutionContext type. A type not
 * listed is denied (fail closed). None of them loads an optional peer until a request of its type
 * arrives.
 */
export const TRANSPORTS: Partial<Record<string, Transport>> = {
  rpc: rpcTransport,
  ws: wsTransport,
  graphql: graphqlTransport,
};

export type { CredentialSource, Transport, TransportRequest } from './transport.js';
