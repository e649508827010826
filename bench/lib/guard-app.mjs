// The guard benchmark's app (guard-app-module.mjs) served on loopback, in its own process.
// argv: express|fastify [redis-url] [cacheEntries]. Tells the parent { port, jwt, apiKey } over IPC.
import { createServer } from 'node:http';
import { createGuardApp } from './guard-app-module.mjs';

const [adapterName = 'express', redisUrl = '', cacheEntries = ''] = process.argv.slice(2);
const { app, handler, jwt, apiKey } = await createGuardApp(adapterName, { redisUrl, cacheEntries });
// Express: one app per route behind a dispatcher (see createGuardApp), served as Nest would serve it.
const server = handler ? createServer(handler) : app.getHttpServer();
await (handler ? new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)) : app.listen(0, '127.0.0.1'));
const port = server.address().port;

process.on('message', (m) => {
  if (m?.cmd === 'exit') process.exit(0);
  if (m?.cmd === 'rss') {
    globalThis.gc?.();
    process.send({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  }
});
process.send({ port, jwt, apiKey });
