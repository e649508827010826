// Webhook handling throughput: an @AffilyncWebhook() route (signature, envelope, claim of the
// event id, route method + @OnAffilyncEvent handler, id marked done) with the in-memory event id
// store and with RedisEventIdStore, against a plain POST route parsing the same body; every
// delivery a distinct event id with a valid signature. Plus redeliveries of one event (the
// de-duplication path).
import { createHmac } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import autocannon from 'autocannon';
import { fmt, median, sleep, start } from './stats.mjs';

const APP = new URL('./webhook-app.mjs', import.meta.url).pathname;
// Same value as webhook-app.mjs (not imported: that module starts the app).
const WEBHOOK_SECRET = 'whsec_bench_signing_secret_0123456789abcdef';
const CREATED_AT = '2026-03-21T15:00:00Z';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const c = createConnection(port, '127.0.0.1', () => resolve(c.end() && true)).on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

/** A conversion.created delivery as Affilync documents it, and its X-Affilync-Signature. */
function delivery(id) {
  const body = `{"id":"${id}","event":"conversion.created","created_at":"${CREATED_AT}","data":{"conversion_id":"cnv_${id}","campaign_id":"cmp_1","affiliate_id":"aff_1","type":"sale","commission":"12.50","order_value":"125.00"}}`;
  return { body, signature: `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}` };
}

let runSerial = 0;

/**
 * One autocannon run on `path`; each request is built and signed as it is sent: a new event id
 * each time, or `fixedId` on every one (redeliveries). Fails on any non-2xx answer.
 */
async function hit(port, path, seconds, connections, fixedId) {
  const tag = `evt_${process.pid}_${(runSerial++).toString(36)}_`;
  let n = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const { body, signature } = delivery(fixedId ?? tag + (n++).toString(36));
          return { ...req, method: 'POST', body, headers: { 'content-type': 'application/json', 'x-affilync-signature': signature } };
        },
      },
    ],
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${path}: ${r.non2xx} non-2xx answers (${r['4xx']} 4xx, ${r['5xx']} 5xx), ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, answered: r['2xx'] };
}

/** µs to build and sign one delivery in this (the load generator's) process. */
function signingMicros() {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 20_000; i++) x += delivery(`evt_cost_${i}`).signature.length;
  return x > 0 ? ((performance.now() - t0) * 1000) / 20_000 : NaN;
}

const VARIANTS = [
  { key: 'plain', app: 'memory', path: '/plain', label: '(c) plain POST route, same JSON body, no guard (the floor)' },
  { key: 'memory', app: 'memory', path: '/webhook', label: '(a) @AffilyncWebhook(), in-memory EventIdStore' },
  { key: 'redis', app: 'redis', path: '/webhook', label: '(b) @AffilyncWebhook(), RedisEventIdStore' },
  { key: 'memory-dup', app: 'memory', path: '/webhook', dup: true, label: 'redelivery of one event, in-memory store' },
  { key: 'redis-dup', app: 'redis', path: '/webhook', dup: true, label: 'redelivery of one event, RedisEventIdStore' },
];

async function measureAdapter(adapter, redisUrl, config) {
  const memoryApp = await start(APP, [adapter]);
  const redisApp = await start(APP, [adapter, redisUrl]).catch((e) => {
    memoryApp.child.kill();
    throw e;
  });
  const apps = { memory: memoryApp, redis: redisApp };
  const counts = async (which) =>
    await new Promise((resolve) => {
      const on = (m) => {
        if (m?.counts) {
          apps[which].child.off('message', on);
          resolve(m.counts);
        }
      };
      apps[which].child.on('message', on);
      apps[which].child.send({ cmd: 'counts' });
    });
  // Five variants on two adapters: shorter runs than the guard's keep the section near a minute and a half.
  const rounds = Math.max(2, config.rounds - 2);
  const seconds = Math.min(config.seconds, 2.5);
  const runs = new Map(VARIANTS.map((v) => [v.key, []]));
  // Every delivery of a distinct id must run the handler once; a redelivery never.
  const exactlyOnce = { ok: true, distinct: 0, redelivered: 0 };
  const dupId = `evt_dup_${adapter}_${process.pid}`;
  const one = async (v, seconds) => {
    const before = await counts(v.app);
    const r = await hit(apps[v.app].first.port, v.path, seconds, config.connections, v.dup ? dupId : undefined);
    const after = await counts(v.app);
    const field = v.key === 'plain' ? 'plain' : 'handled';
    const ran = after[field] - before[field];
    if (v.key !== 'plain') {
      const routed = after.routed - before.routed;
      // autocannon does not count the requests still in flight when a run stops (at most one per
      // connection), which the app may still handle: a distinct run handles at least every answered
      // delivery (a repeated id would be answered as a duplicate, handled by nobody) and at most
      // `connections` more; a redelivery run handles nothing.
      const fine = v.dup ? ran === 0 && routed === 0 : ran === routed && ran >= r.answered && ran <= r.answered + config.connections;
      if (!fine) exactlyOnce.ok = false;
      if (v.dup) exactlyOnce.redelivered += r.answered;
      else exactlyOnce.distinct += r.answered;
    }
    return r;
  };
  try {
    // The redelivered event is handled once first (32 first deliveries at once would be 409s but one).
    for (const which of ['memory', 'redis']) {
      const { body, signature } = delivery(dupId);
      const res = await fetch(`http://127.0.0.1:${apps[which].first.port}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-affilync-signature': signature },
        body,
      });
      if (res.status !== 200) throw new Error(`first delivery of the redelivered event: ${res.status}`);
    }
    for (const v of VARIANTS) await one(v, config.warmup);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < VARIANTS.length; i++) {
        const v = VARIANTS[(i + round) % VARIANTS.length];
        runs.get(v.key).push(await one(v, seconds));
      }
    }
  } finally {
    for (const a of Object.values(apps)) a.child.kill();
  }
  const result = new Map(
    VARIANTS.map((v) => {
      const rs = runs.get(v.key);
      return [v.key, { rps: median(rs.map((r) => r.rps)), p99: median(rs.map((r) => r.p99)), p50: median(rs.map((r) => r.p50)) }];
    }),
  );
  return { result, exactlyOnce, rounds, seconds };
}

export async function webhookSection(config) {
  const title = '## 8. Webhook handling (@AffilyncWebhook, in-memory and Redis event id stores)';
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return { markdown: `${title}\n\nSkipped: no \`redis-server\` on PATH (\`sudo apt-get install -y redis-server\`).\n` };
  }
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForPort(port);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const adapters = config.mode === 'quick' ? ['express'] : ['express', 'fastify'];
  const measured = [];
  try {
    for (const adapter of adapters) measured.push({ adapter, ...(await measureAdapter(adapter, redisUrl, config)) });
  } finally {
    redis.kill();
  }
  const signUs = signingMicros();

  const lines = [
    title,
    '',
    `Each app in its own process (\`NestFactory.create(…, { rawBody: true })\`, \`incoming.webhookSecret\`), the route`,
    "`@AffilyncWebhook() @Post()` with `@AffilyncEvent()`, plus an `@OnAffilyncEvent('conversion.created')` handler on a provider;",
    'one app with the in-memory `EventIdStore`, one with `RedisEventIdStore` (a local `redis-server`, a claim script and a SET per',
    'event). The floor (c) is a plain `@Post()` with `@Body()` on the in-memory app: the same JSON parser and body, no guard.',
    `autocannon in the bench process, ${config.connections} connections, variants interleaved in each round, medians; every request is`,
    'a `conversion.created` delivery built and signed as it is sent, with a **new event id each time** (redeliveries: one id,',
    'handled once before the runs). On 2 cores the Redis variant shares them three ways (app, redis-server, load generator).',
    '"µs per request over (c)" = 1/req/s − 1/req/s of the floor: the server time a delivery costs beyond parsing its body.',
    "No target on (b)/(a): it measures how much of two cores redis-server takes as much as the store's two commands per",
    'event (a claim script, then SET done; a redelivery is the claim alone), so it moves with the machine.',
    '',
  ];
  const targets = [];
  for (const { adapter, result, exactlyOnce, rounds, seconds } of measured) {
    const r = (k) => result.get(k);
    const ratio = (a, b) => (r(a).rps / r(b).rps).toFixed(2);
    lines.push(
      `### ${adapter === 'express' ? 'Express' : 'Fastify'} (${rounds} rounds of ${seconds} s)`,
      '',
      '| route | req/s | p50 ms | p99 ms | × (c) floor | × (a) in-memory | µs per request over (c) |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...VARIANTS.map(
        (v) =>
          `| ${v.label} | ${fmt(r(v.key).rps)} | ${fmt(r(v.key).p50, 1)} | ${fmt(r(v.key).p99, 1)} | ${ratio(v.key, 'plain')} | ${ratio(v.key, 'memory')} | ${v.key === 'plain' ? '–' : fmt((1 / r(v.key).rps - 1 / r('plain').rps) * 1e6)} |`,
      ),
      '',
      `(b)/(a) = ${ratio('redis', 'memory')}, (a)/(c) = ${ratio('memory', 'plain')}, (b)/(c) = ${ratio('redis', 'plain')}. Distinct deliveries answered 2xx: ${fmt(exactlyOnce.distinct)}, each`,
      `run by the route and the handler ${exactlyOnce.ok ? 'once' : '**not once**'} (counted in the app); redeliveries answered 2xx: ${fmt(exactlyOnce.redelivered)}, ${exactlyOnce.ok ? 'none' : '**some**'} run.`,
      '',
    );
    targets.push({
      name: `webhooks, ${adapter}: every distinct delivery handled once, every redelivery never`,
      measured: `${fmt(exactlyOnce.distinct)} distinct, ${fmt(exactlyOnce.redelivered)} redelivered: ${exactlyOnce.ok ? 'as expected' : 'counts differ'}`,
      pass: exactlyOnce.ok,
    });
  }
  lines.push(
    `Building and signing a delivery costs the load generator ${fmt(signUs, 1)} µs (measured after the runs), against the`,
    `${fmt(1e6 / Math.max(...measured.map((m) => m.result.get('plain').rps)), 0)} µs between two requests at the fastest rate above: done per request rather than from a`,
    'precomputed pool, it does not limit the rate, and every variant pays it alike (the floor too).',
    '',
  );
  return { markdown: lines.join('\n'), targets };
}
