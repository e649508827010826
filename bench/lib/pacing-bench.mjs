// Pacing: three processes share one credential's budget through Redis, against a provider that
// enforces it. How close do they come to the allowed rate, and does any call meet a 429?
// Run as a module it is the section; forked with WORKER it is one of the three client processes.
import 'reflect-metadata';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { fmt, sleep, start } from './stats.mjs';

const DIST = new URL('../../dist/', import.meta.url).href;
const SELF = new URL(import.meta.url).pathname;
const WORKER = 'pacing-worker';
const PROCESSES = 3;
const IN_FLIGHT = 20; // per process

/**
 * The scenarios. `reset` is the unit of Affilync's X-RateLimit-Reset; `perProcess` each client
 * process's share of the calls (`quick` in a quick run, where `null` skips the scenario); `target: false`
 * reports a scenario without holding it to the target.
 */
const SCENARIOS = [
  { label: 'Affilync, Reset in epoch ms', provider: 'affilync', reset: 'ms', limit: 60, windowMs: 5_000, perProcess: 100, quick: 60 },
  // Whole seconds on a 5 s window: what the second of caution costs at its worst (no target).
  {
    label: 'Affilync, Reset in epoch s (rounded up), 5 s window',
    provider: 'affilync',
    reset: 's',
    limit: 60,
    windowMs: 5_000,
    perProcess: 100,
    quick: 60,
    target: false,
  },
  { label: 'Affilync, Reset in epoch s (rounded up), 15 s window', provider: 'affilync', reset: 's', limit: 60, windowMs: 15_000, perProcess: 60, quick: null },
  { label: "Convertly, plan 'scale'", provider: 'convertly', plan: 'scale', limit: 500, windowMs: 60_000, perProcess: 250, quick: null },
];

function freePort() {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const json = (res, status, body, headers = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

/**
 * A provider that enforces a fixed window per bearer credential, opened by the first request after
 * the previous window ended. Logins (Convertly) are not counted, and every login of one email gets
 * the same token, so the three processes spend one window, as they would one login's budget.
 */
function startProvider(scenario) {
  const windows = new Map();
  const tokens = new Map();
  const seen = { accepted: [], refused: [], perWindow: [] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const now = Date.now();
      const path = req.url.split('?')[0];
      if (req.method === 'POST' && path === '/v1/auth/brand/login') {
        const { email } = JSON.parse(body);
        if (!tokens.has(email)) tokens.set(email, `x.e30.${tokens.size}`);
        return json(res, 200, { data: { accessToken: tokens.get(email) } });
      }
      const bearer = req.headers.authorization;
      if (!bearer) return json(res, 401, { detail: 'missing', error_code: 'TOKEN_INVALID', status: 401 });
      let w = windows.get(bearer);
      if (!w || now >= w.start + scenario.windowMs) {
        w = { start: now, count: 0 };
        windows.set(bearer, w);
        seen.perWindow.push(w);
      }
      const accepted = w.count < scenario.limit;
      if (accepted) {
        w.count++;
        seen.accepted.push(now);
      } else {
        seen.refused.push(now);
      }
      const end = w.start + scenario.windowMs;
      if (scenario.provider === 'affilync') {
        const headers = {
          'x-ratelimit-limit': String(scenario.limit),
          'x-ratelimit-remaining': String(scenario.limit - w.count),
          'x-ratelimit-reset': String(scenario.reset === 'ms' ? end : Math.ceil(end / 1000)),
        };
        if (!accepted) return json(res, 429, { detail: 'Rate limit exceeded', error_code: 'RATE_LIMIT_EXCEEDED', status: 429 }, headers);
        return json(res, 200, { data: [{ id: 'cmp_1', name: 'Spring' }], meta: { total: 1, page: 1, per_page: 20 } }, headers);
      }
      if (!accepted) {
        const retryAfter = String(Math.max(1, Math.ceil((end - now) / 1000)));
        return json(res, 429, { statusCode: 429, message: 'ThrottlerException: Too Many Requests', error: 'Too Many Requests' }, { 'retry-after': retryAfter });
      }
      return json(res, 200, { data: [{ id: 'aff_01', name: 'Ada' }], meta: { total: 1, cursor: null } });
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, origin: `http://127.0.0.1:${server.address().port}` })));
}

/** One client process: the user's app with a shared RedisRateLimitStore, making its share of the calls once told to go. */
async function worker(spec) {
  const lib = await import(`${DIST}index.js`);
  const { RedisRateLimitStore } = await import(`${DIST}redis/index.js`);
  class PacingApp {}
  Module({
    imports: [
      lib.ProviderAuthModule.forRoot({
        [spec.provider]: spec.credential,
        rateLimitStore: new RedisRateLimitStore({ url: spec.redisUrl }),
        http: { maxRetryAfterMs: 120_000, timeoutMs: 120_000, maxRetries: 2 },
      }),
    ],
  })(PacingApp);
  const app = await NestFactory.createApplicationContext(PacingApp, { logger: false });
  const client = app.get(spec.provider === 'affilync' ? lib.AffilyncClient : lib.ConvertlyClient);
  const path = spec.provider === 'affilync' ? '/campaigns' : '/affiliates';
  const go = new Promise((resolve) => process.once('message', resolve));
  process.send({ ready: true });
  await go;
  let started = 0;
  let failed = 0;
  const errors = {};
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (started < spec.calls) {
        started++;
        try {
          await client.get(path);
        } catch (error) {
          failed++;
          const what = `${error?.name}: ${String(error?.message).slice(0, 160)}`;
          errors[what] = (errors[what] ?? 0) + 1;
        }
      }
    }),
  );
  process.send({ done: true, failed, errors });
  await app.close();
  process.disconnect();
}

async function runScenario(scenario, index, calls, redisUrl) {
  const { server, seen, origin } = await startProvider(scenario);
  const credential =
    scenario.provider === 'affilync'
      ? { baseUrl: `${origin}/api`, apiKey: `afk_live_pacing${index}`.padEnd(49, 'p') }
      : { baseUrl: `${origin}/v1`, email: `pacing-${index}@example.com`, password: 'bench-password', plan: scenario.plan };
  const spec = JSON.stringify({ provider: scenario.provider, credential, redisUrl, calls: calls / PROCESSES });
  const workers = await Promise.all(Array.from({ length: PROCESSES }, () => start(SELF, [WORKER, spec])));
  const results = workers.map(
    ({ child }) =>
      new Promise((resolve) => {
        child.once('message', resolve);
        child.once('exit', (code) => resolve({ failed: calls / PROCESSES, errors: { [`client process exited (${code}) before it was done`]: 1 } }));
      }),
  );
  const exits = workers.map(({ child }) => new Promise((resolve) => child.once('exit', resolve)));
  const t0 = Date.now();
  for (const { child } of workers) child.send({ cmd: 'go' });
  const done = await Promise.all(results);
  const elapsedMs = Date.now() - t0;
  await Promise.all(exits);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  const errors = {};
  for (const d of done) for (const [what, n] of Object.entries(d.errors)) errors[what] = (errors[what] ?? 0) + n;
  const accepted = seen.accepted.length;
  const spanMs = accepted > 1 ? seen.accepted[accepted - 1] - seen.accepted[0] : 0;
  // The least time the server's windows allow between the first accepted call and the last.
  const idealSpanMs = Math.floor((accepted - 1) / scenario.limit) * scenario.windowMs;
  const allowedPerMs = scenario.limit / scenario.windowMs;
  return {
    scenario,
    calls,
    refused: seen.refused.length,
    failed: done.reduce((n, d) => n + d.failed, 0),
    errors,
    elapsedMs,
    spanMs,
    // As briefed: (calls − limit) ÷ span, against limit ÷ window.
    plainRatio: spanMs > 0 ? (accepted - scenario.limit) / spanMs / allowedPerMs : NaN,
    // Against what the windows let through for these calls: equal to the above when calls are a multiple of the limit.
    ratio: spanMs > 0 && idealSpanMs > 0 ? idealSpanMs / spanMs : NaN,
    perWindow: seen.perWindow.map((w) => w.count),
    maxInWindow: Math.max(0, ...seen.perWindow.map((w) => w.count)),
  };
}

export async function pacingSection(config) {
  const title = '## 6. Pacing (three processes, one credential, one Redis budget)';
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return { markdown: `${title}\n\nSkipped: no \`redis-server\` on PATH (\`sudo apt-get install -y redis-server\`).\n` };
  }
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await sleep(300);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const quick = config.mode === 'quick';
  const results = [];
  const skipped = [];
  for (const [i, s] of SCENARIOS.entries()) {
    const perProcess = quick ? s.quick : s.perProcess;
    if (perProcess === null) skipped.push(s.label);
    else results.push(await runScenario(s, i, perProcess * PROCESSES, redisUrl));
  }
  redis.kill();
  const ratio = (x, digits = 2) => (Number.isNaN(x) ? 'n/a' : fmt(x, digits));
  const lines = [
    title,
    '',
    `${PROCESSES} processes, each \`ProviderAuthModule.forRoot\` from dist/ with \`RedisRateLimitStore\` (one local redis-server) and`,
    `\`http: { maxRetryAfterMs: 120_000, timeoutMs: 120_000, maxRetries: 2 }\`, each making its share of the calls ${IN_FLIGHT} in flight, started`,
    'together. The provider (node:http in the bench process) enforces a fixed window per credential, opened by its first',
    'request after the previous window ended; Affilync answers X-RateLimit-Limit/-Remaining/-Reset and a 429 without',
    "Retry-After; Convertly answers nothing about its budget and a 429 with Retry-After (logins are not counted; one login's",
    'processes share one token, so one window).',
    '',
    'Achieved ÷ allowed = accepted calls after the first window ÷ time from the first accepted call to the last, against what',
    'the windows allow for them: (calls − limit) ÷ (⌊(calls − 1) ÷ limit⌋ × window). When calls are a multiple of the limit',
    'that is limit ÷ window; the column "against limit ÷ window" uses limit ÷ window always (so for 750 calls on a 500 limit',
    'it cannot exceed 0.5: the last 250 calls are a partial window).',
    '',
    '| scenario | limit / window | calls | 429s at the server | failed calls | elapsed s | achieved ÷ allowed | against limit ÷ window | max accepted in one window | accepted in each window |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.scenario.label} | ${r.scenario.limit} / ${r.scenario.windowMs / 1000} s | ${r.calls} | ${r.refused} | ${r.failed} | ${fmt(r.elapsedMs / 1000, 1)} | ${ratio(r.ratio)} | ${ratio(r.plainRatio)} | ${r.maxInWindow} | ${r.perWindow.join(', ')} |`,
    ),
    '',
    'A reset in whole seconds costs more: the client cannot tell whether it was rounded down, so it waits a second past it',
    'before taking the window as renewed, and a reset rounded up (as here) makes it wait up to another second: about 2 s a',
    "window, most of a 5 s window's worth, a small part of a 15 s one, and of Affilync's documented minute.",
  ];
  if (skipped.length) lines.push('', `Skipped in a quick run (long windows): ${skipped.join('; ')}.`);
  if (quick)
    lines.push(
      '',
      `Quick run: ${SCENARIOS.filter((s) => s.quick)
        .map((s) => `${PROCESSES} × ${s.quick} calls for ${s.label}`)
        .join(', ')}.`,
    );
  for (const r of results) {
    for (const [what, n] of Object.entries(r.errors)) lines.push('', `${r.scenario.label}: ${n} × ${what}`);
  }
  lines.push('');
  const targets = results
    .filter((r) => r.scenario.target !== false)
    .map((r) => ({
      name: `pacing, ${r.scenario.label}: achieved ÷ allowed ≥ 0.8 with 0 × 429`,
      measured: `${ratio(r.ratio, 3)}, ${r.refused} × 429, ${r.failed} failed, max ${r.maxInWindow} of ${r.scenario.limit} in a window`,
      pass: r.ratio >= 0.8 && r.refused === 0 && r.failed === 0 && r.maxInWindow <= r.scenario.limit,
    }));
  return { markdown: lines.join('\n'), targets };
}

if (process.argv[2] === WORKER) await worker(JSON.parse(process.argv[3]));
