// The guard benchmark's app (guard-app-module.mjs) served on loopback, in its own process.
// argv: express|fastify [redis-url] [cacheEntries]. Tells the parent { port, jwt, apiKey } over IPC.
import { createGuardApp } from './guard-app-module.mjs';

const [adapterName = 'express', redisUrl = '', cacheEntries = ''] = process.argv.slice(2);
const { app, jwt, apiKey } = await createGuardApp(adapterName, { redisUrl, cacheEntries });
await app.listen(0, '127.0.0.1');
const port = app.getHttpServer().address().port;

process.on('message', (m) => {
  if (m?.cmd === 'exit') process.exit(0);
  if (m?.cmd === 'rss') {
    globalThis.gc?.();
    process.send({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
  }
});
process.send({ port, jwt, apiKey });
