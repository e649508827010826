// In-process requests (no sockets) into the guard benchmark's app: steadier than load on 2 cores.
// argv: express|fastify [routes to register, in this order, comma-separated] ['timed']. Over IPC: { cmd: 'run', routes: [{ route, authorization }], n, rounds } →
// { perRequestNs: { route: [ns per request, one per slice of 250 requests] } }, and with 'timed'
// also { inGuardNs: { route: [ns per guard call, one per slice] } } (section 1e): each guard call
// is then timed, which adds its clock reads to every route's requests; and, when the 'pieces'
// route is among them, { piecesNs: { piece: [ns per call, one per slice] } }.
import inject from 'light-my-request';
import { createGuardApp, timeGuardCalls } from './guard-app-module.mjs';
import { TIMED_PIECES, pieceTotals } from './guard-variants.mjs';

const [adapterName = 'express', order = '', timing = ''] = process.argv.slice(2);
/** With 'timed': each route's guard time since its last slice, and its calls. */
const guardNs = new Map();
const guardCalls = new Map();
if (timing === 'timed') {
  timeGuardCalls((route, ns) => {
    guardNs.set(route, (guardNs.get(route) ?? 0) + ns);
    guardCalls.set(route, (guardCalls.get(route) ?? 0) + 1);
  });
}
const { app, handler, jwt, apiKey } = await createGuardApp(adapterName, { routes: order ? order.split(',') : undefined });
// Fastify answers inject() itself; Express is a (req, res) handler light-my-request can drive (one
// app per route behind a dispatcher: see createGuardApp).
const fastify = app?.getHttpAdapter().getInstance();
const send = handler ? (opts) => inject(handler, opts) : (opts) => fastify.inject(opts);

async function timeRoute(route, authorization, n) {
  const opts = { method: 'GET', url: `/${route}`, headers: { authorization } };
  const began = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = await send(opts);
    if (res.statusCode !== 200) throw new Error(`${adapterName} /${route}: ${res.statusCode}`);
    // A loop of awaited injects never reaches the timers and immediates the frameworks schedule per
    // request: without a turn of the event loop now and then they pile up (~10 KB a request).
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(process.hrtime.bigint() - began) / n;
}

process.on('message', async (m) => {
  if (m?.cmd === 'exit') process.exit(0);
  if (m?.cmd !== 'run') return;
  for (const r of m.routes) await timeRoute(r.route, r.authorization, Math.ceil(m.n / 4)); // warm up
  const perRequestNs = Object.fromEntries(m.routes.map((r) => [r.route, []]));
  const inGuardNs = Object.fromEntries(m.routes.map((r) => [r.route, []]));
  const piecesNs = Object.fromEntries(TIMED_PIECES.map(([piece]) => [piece, []]));
  // Each round sends its n requests per route in slices of CHUNK, the routes taking turns slice by
  // slice (rotated each time): a GC or a slow patch of the machine falls on every route alike. Every
  // slice's time is kept: the parent takes the median slice, which a GC landing on a few slices does
  // not move (a round's mean moved by ±8 µs on Express).
  const CHUNK = 250;
  for (let round = 0; round < m.rounds; round++) {
    for (let slice = 0; slice < Math.ceil(m.n / CHUNK); slice++) {
      for (let k = 0; k < m.routes.length; k++) {
        const r = m.routes[(k + slice + round) % m.routes.length];
        guardNs.set(r.route, 0);
        guardCalls.set(r.route, 0);
        pieceTotals.ns.fill(0);
        pieceTotals.calls = 0;
        perRequestNs[r.route].push(await timeRoute(r.route, r.authorization, CHUNK));
        // Every request of a guarded route calls its guard once; the unguarded route has none.
        if (guardCalls.get(r.route) > 0) inGuardNs[r.route].push(guardNs.get(r.route) / guardCalls.get(r.route));
        if (r.route === 'pieces') TIMED_PIECES.forEach(([piece], i) => piecesNs[piece].push(pieceTotals.ns[i] / pieceTotals.calls));
      }
    }
  }
  process.send(timing === 'timed' ? { perRequestNs, inGuardNs, piecesNs } : { perRequestNs });
});
process.send({ jwt, apiKey });
