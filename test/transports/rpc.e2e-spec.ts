/**
 * Microservice (RPC) handlers: denied unless `incoming.rpcCredential(context)` says where the
 * credential is; then checked exactly as on HTTP routes, refusals as RpcException errors carrying
 * the body the HTTP answer would have. A real TCP microservice and a real ClientProxy.
 */
import { Controller, type INestMicroservice } from '@nestjs/common';
import { ClientProxyFactory, MessagePattern, Payload, Transport, type ClientProxy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import { firstValueFrom } from 'rxjs';
import {
  ApiKeyService,
  CurrentPrincipal,
  ProviderAuthGuard,
  ProviderAuthModule,
  Public,
  Scopes,
  TokenService,
  type IncomingOptions,
  type Principal,
} from '../../lib/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { secretAudit } from '../support/secret-audit.js';
import { UseGuards } from '@nestjs/common';

const SECRET = 'rpc-transport-secret-0123456789abcdef';
secretAudit.registerSecret(SECRET);

interface Message {
  authorization?: string;
  n?: number;
}

@Controller()
@UseGuards(ProviderAuthGuard)
class Handlers {
  @MessagePattern('whoami')
  @Scopes('campaigns:read')
  whoami(@CurrentPrincipal() principal: Principal | undefined) {
    return principal ?? null;
  }

  @MessagePattern('write')
  @Scopes('payouts:write')
  write() {
    return 'written';
  }

  @MessagePattern('ping')
  @Public()
  ping(@Payload() data: Message) {
    return `pong ${data.n ?? 0}`;
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function start(incoming: Partial<IncomingOptions>) {
  const port = await freePort();
  const moduleRef = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: SECRET, ...incoming } })],
    controllers: [Handlers],
  })
    .setLogger(new CapturingLogger())
    .compile();
  const app: INestMicroservice = moduleRef.createNestMicroservice({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
  await app.listen();
  const client: ClientProxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
  await client.connect();
  const send = (pattern: string, data: Message) => firstValueFrom(client.send(pattern, data));
  return {
    keys: moduleRef.get(ApiKeyService),
    tokens: moduleRef.get(TokenService),
    send,
    close: async () => {
      client.close();
      await app.close();
    },
  };
}

describe('ProviderAuthGuard on microservice (RPC) handlers', () => {
  it('without incoming.rpcCredential every guarded handler is denied; @Public() ones still answer', async () => {
    const app = await start({});
    try {
      const { key } = await app.keys.create({ label: 'rpc', scopes: ['campaigns:read'] });
      await expect(app.send('whoami', { authorization: key })).rejects.toMatchObject({ message: 'Forbidden resource' });
      await expect(app.send('ping', { n: 1 })).resolves.toBe('pong 1');
    } finally {
      await app.close();
    }
  });

  describe('with incoming.rpcCredential reading the message', () => {
    let app: Awaited<ReturnType<typeof start>>;
    beforeAll(async () => {
      app = await start({ rpcCredential: (context) => context.switchToRpc().getData<Message>()?.authorization });
    });
    afterAll(() => app.close());

    it('an API key with the scope passes, and @CurrentPrincipal() has its principal', async () => {
      const { id, key } = await app.keys.create({ label: 'rpc', scopes: ['campaigns:read'] });
      await expect(app.send('whoami', { authorization: key })).resolves.toEqual({ kind: 'api_key', keyId: id, scopes: ['campaigns:read'] });
    });

    it('an access token passes too; roles and scopes are checked as on HTTP', async () => {
      const member = await app.tokens.issue({ sub: 'u-rpc', role: 'member' });
      await expect(app.send('whoami', { authorization: member.access_token })).resolves.toMatchObject({ kind: 'user', sub: 'u-rpc', role: 'member' });
      await expect(app.send('write', { authorization: member.access_token })).rejects.toMatchObject({
        error_code: 'INSUFFICIENT_SCOPE',
        status: 403,
      });
    });

    it('no credential, a bad one, a revoked key: the HTTP answer’s body as the RPC error, never the credential', async () => {
      await expect(app.send('whoami', {})).rejects.toMatchObject({ error_code: 'TOKEN_INVALID', status: 401 });
      await expect(app.send('whoami', { authorization: 'not-a-token' })).rejects.toMatchObject({ error_code: 'TOKEN_INVALID', status: 401 });
      const { id, key } = await app.keys.create({ label: 'rpc', scopes: ['campaigns:read'] });
      await app.send('whoami', { authorization: key });
      await app.keys.revoke(id);
      const refused = await app.send('whoami', { authorization: key }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ error_code: 'TOKEN_INVALID', status: 401 });
      expect(JSON.stringify(refused)).not.toContain(key);
    });
  });
});
