// Client benchmark: AffilyncClient.get and ConvertlyClient.get against bare undici.request, same
// local server, a valid cached token, 32 callers each awaiting its previous call.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool, request } from 'undici';
import { fmt, median, start } from './stats.mjs';

const DIST = new URL('../../dist/', import.meta.url).href;
const STUB = new URL('./stub-provider.mjs', import.meta.url).pathname;
const CONCURRENCY = 32;

/** Calls completed per second by `concurrency` loops over `call` for `seconds`. */
export async function throughput(call, seconds, concurrency = CONCURRENCY) {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done / seconds;
}

/** A Nest application context with the module, as a user's app would have it. */
export async function clientsFor(options) {
  const lib = await import(`${DIST}index.js`);
  class BenchClients {}
  Module({ imports: [lib.ProviderAuthModule.forRoot(options)] })(BenchClients);
  const app = await NestFactory.createApplicationContext(BenchClients, { logger: false });
  return { app, affilync: options.affilync && app.get(lib.AffilyncClient), convertly: options.convertly && app.get(lib.ConvertlyClient) };
}

export async function clientSection(config) {
  const { child, first } = await start(STUB, ['86400']);
  const origin = `http://127.0.0.1:${first.port}`;
  const { app, affilync, convertly } = await clientsFor({
    affilync: { baseUrl: `${origin}/api`, apiKey: `afk_live_${'b'.repeat(40)}` },
    convertly: { baseUrl: `${origin}/v1`, email: 'bench@example.com', password: 'bench-password' },
  });
  await convertly.get('/affiliates'); // logs in once: the token is cached from here on
  const bareToken = 'Bearer bench-token';
  const pool = new Pool(origin, { connections: 64 });
  const variants = [
    {
      label: 'bare undici.request (+ JSON parse)',
      call: async () => {
        const res = await request(`${origin}/api/campaigns`, { headers: { authorization: bareToken, accept: 'application/json' } });
        await res.body.json();
      },
    },
    {
      // Stricter than the target's reference: a Pool to the origin, as our transport uses.
      label: 'undici Pool.request, 64 connections (+ JSON parse)',
      call: async () => {
        const res = await pool.request({ method: 'GET', path: '/api/campaigns', headers: { authorization: bareToken, accept: 'application/json' } });
        await res.body.json();
      },
    },
    { label: 'AffilyncClient.get (API key)', call: () => affilync.get('/campaigns'), target: true },
    { label: 'ConvertlyClient.get (cached token)', call: () => convertly.get('/affiliates'), target: true },
    // The typed methods: the same request, with the query checked and the answer's envelope validated.
    { label: 'affilync.campaigns.list() (typed, first page)', call: () => affilync.campaigns.list(), generic: 2 },
    { label: 'convertly.affiliates.list() (typed, first page)', call: () => convertly.affiliates.list(), generic: 3 },
  ];
  for (const v of variants) await throughput(v.call, config.warmup);
  const runs = variants.map(() => []);
  for (let round = 0; round < config.rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const k = (i + round) % variants.length;
      runs[k].push(await throughput(variants[k].call, config.seconds));
    }
  }
  await app.close();
  await pool.close();
  child.kill();
  const rps = runs.map(median);
  const bareRps = rps[0];
  const poolRps = rps[1];
  const lines = [
    '## 2. Clients',
    '',
    `${CONCURRENCY} concurrent callers, tiny local node:http server in its own process. \`undici.request(url)\` goes through undici's global`,
    'dispatcher; our clients use a `Pool` per origin, so the Pool row is the stricter reference.',
    '',
    '| client | req/s | × bare undici.request | × undici Pool | × the generic get |',
    '|---|---:|---:|---:|---:|',
  ];
  const targets = [];
  variants.forEach((v, i) => {
    const generic = v.generic === undefined ? '' : (rps[i] / rps[v.generic]).toFixed(2);
    lines.push(`| ${v.label} | ${fmt(rps[i])} | ${(rps[i] / bareRps).toFixed(2)} | ${(rps[i] / poolRps).toFixed(2)} | ${generic} |`);
    if (v.target) targets.push({ name: `${v.label} ≥ 1.00× an undici Pool`, measured: `${(rps[i] / poolRps).toFixed(2)}×`, pass: rps[i] / poolRps >= 1 });
  });
  lines.push('');
  return { markdown: lines.join('\n'), targets, bareRps };
}
