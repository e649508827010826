// The webhook benchmark's app, in its own process: an @AffilyncWebhook() route whose event also
// reaches an @OnAffilyncEvent() handler, and a plain unguarded POST route that reads the same JSON
// body (the floor). argv: express|fastify [redis-url]: with a URL the event ids go to a
// RedisEventIdStore, else to the in-memory default. Tells the parent { port } over IPC once the
// store answers; { cmd: 'counts' } answers how many events the handlers saw.
import 'reflect-metadata';
import { Body, Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const DIST = new URL('../../dist/', import.meta.url).href;
const { AffilyncEvent, AffilyncWebhook, EventIdStore, OnAffilyncEvent, ProviderAuthModule } = await import(`${DIST}index.js`);

export const WEBHOOK_SECRET = 'whsec_bench_signing_secret_0123456789abcdef';
const JWT_SECRET = 'bench-secret-of-at-least-32-bytes!!';

const decorate = (cls, method, ...decorators) => Reflect.decorate(decorators, cls.prototype, method, Object.getOwnPropertyDescriptor(cls.prototype, method));
const seen = { handled: 0, routed: 0, plain: 0 };
const answer = { received: true };

/** The user's handler: what a ledger would do with the event, reduced to counting it. */
class Ledger {
  onConversion(event) {
    if (event.data.commission !== undefined) seen.handled++;
  }
}
decorate(Ledger, 'onConversion', OnAffilyncEvent('conversion.created'));
Injectable()(Ledger);

class Routes {
  receive(event) {
    if (event.id) seen.routed++;
    return answer;
  }
  plain(body) {
    // The floor: the same body parsed by the platform and read, no signature, no de-duplication.
    if (typeof body?.id === 'string' && body.data?.commission !== undefined) seen.plain++;
    return answer;
  }
}
decorate(Routes, 'receive', AffilyncWebhook(), Post('webhook'));
AffilyncEvent()(Routes.prototype, 'receive', 0);
decorate(Routes, 'plain', HttpCode(200), Post('plain'));
Body()(Routes.prototype, 'plain', 0);
Controller()(Routes);

const [adapterName = 'express', redisUrl = ''] = process.argv.slice(2);
const incoming = { jwtSecret: JWT_SECRET, webhookSecret: WEBHOOK_SECRET };
if (redisUrl) {
  const { RedisEventIdStore } = await import(`${DIST}redis/index.js`);
  incoming.eventIdStore = new RedisEventIdStore({ url: redisUrl });
}
class WebhookBenchModule {}
Module({ imports: [ProviderAuthModule.forRoot({ incoming })], controllers: [Routes], providers: [Ledger] })(WebhookBenchModule);

let adapter;
if (adapterName === 'fastify') {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  adapter = new FastifyAdapter();
}
const options = { rawBody: true, logger: false };
const app = adapter ? await NestFactory.create(WebhookBenchModule, adapter, options) : await NestFactory.create(WebhookBenchModule, options);
await app.listen(0, '127.0.0.1');

// The store's first connection before the first delivery (a Redis store still connecting answers 503).
const store = app.get(EventIdStore);
for (let i = 0; ; i++) {
  try {
    await store.claim(`evt_ready_${process.pid}_${i}`, 1_000);
    break;
  } catch (e) {
    if (i > 200) throw e;
    await new Promise((r) => setTimeout(r, 25));
  }
}

process.on('message', (m) => {
  if (m?.cmd === 'counts') process.send({ counts: { ...seen } });
});
process.send({ port: app.getHttpServer().address().port });
