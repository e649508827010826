// One replica of a user's app, as a separate Node process: the BUILT package (Jest cannot run
// TypeScript in child processes), the outgoing clients on a shared RedisTokenStore. Driven by the
// parent test over IPC: { cmd: 'burst', provider, n } fires n concurrent calls and reports.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const { DIST, REDIS_URL, AFFILYNC_URL, CONVERTLY_URL, EMAIL, PASSWORD, TIMEOUT_MS, LEASE_MS } = process.env;
const lib = await import(`${DIST}/index.js`);
const { RedisTokenStore } = await import(`${DIST}/redis/index.js`);

class ReplicaModule {}
Module({
  imports: [
    lib.ProviderAuthModule.forRoot({
      affilync: { baseUrl: AFFILYNC_URL, email: EMAIL, password: PASSWORD },
      convertly: { baseUrl: CONVERTLY_URL, email: EMAIL, password: PASSWORD },
      tokenStore: new RedisTokenStore({ url: REDIS_URL, lockLeaseMs: Number(LEASE_MS) }),
      http: { timeoutMs: Number(TIMEOUT_MS), maxRetryAfterMs: 0 },
    }),
  ],
})(ReplicaModule);

const app = await NestFactory.createApplicationContext(ReplicaModule, { logger: false });
const clients = { affilync: app.get(lib.AffilyncClient), convertly: app.get(lib.ConvertlyClient) };
const paths = { affilync: '/campaigns', convertly: '/affiliates' };

process.on('message', async (msg) => {
  if (msg.cmd === 'burst') {
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: msg.n }, () =>
        clients[msg.provider].get(paths[msg.provider]).then(
          () => null,
          // Class and message only: our errors never carry a secret, and nothing else is sent.
          (e) => `${e?.constructor?.name}: ${e?.message}`,
        ),
      ),
    );
    const errors = outcomes.filter((o) => o !== null);
    process.send({ id: msg.id, ok: msg.n - errors.length, errors: errors.slice(0, 5), errorCount: errors.length, ms: Date.now() - started });
  } else if (msg.cmd === 'exit') {
    await app.close();
    process.exit(0);
  }
});
process.send({ ready: true, pid: process.pid });
