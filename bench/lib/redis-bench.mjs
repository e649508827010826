// The Redis stores' cost on the guard (Express): the same JWT and API-key routes with in-memory
// stores, with Redis stores and a warm local cache, and with Redis stores and no cache.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { measureApp, VARIANTS } from './guard-bench.mjs';
import { fmt, sleep, start } from './stats.mjs';

const APP = new URL('./guard-app.mjs', import.meta.url).pathname;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function redisSection(config) {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    return { markdown: '## 5. Redis stores\n\nSkipped: no `redis-server` on PATH (`sudo apt-get install -y redis-server`).\n' };
  }
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await sleep(300);
  const url = `redis://127.0.0.1:${port}`;
  // A quick run measures the JWT route only.
  const variants = VARIANTS.filter((v) => v.route === 'jwt' || (v.route === 'key' && config.mode === 'full'));
  const setups = [
    { label: 'in-memory stores', args: ['express'] },
    { label: 'Redis stores, warm local cache', args: ['express', url] },
    { label: 'Redis stores, no cache (every request asks Redis)', args: ['express', url, '0'] },
  ];
  const results = [];
  for (const s of setups) {
    const { child, first } = await start(APP, s.args);
    results.push(await measureApp(first.port, first, variants, { ...config, rounds: Math.max(2, config.rounds - 2) }));
    child.kill();
  }
  redis.kill();
  const lines = [
    '## 5. Redis stores (Express)',
    '',
    'Added cost per request = 1/req/s(Redis) − 1/req/s(in-memory), at 32 connections (server time per request).',
    '',
    '| stores | route | req/s | p50 ms | p99 ms | added µs/request |',
    '|---|---|---:|---:|---:|---:|',
  ];
  setups.forEach((s, i) => {
    for (const v of variants) {
      const r = results[i].get(v.route);
      const base = results[0].get(v.route).rps;
      const added = i === 0 ? '–' : fmt((1 / r.rps - 1 / base) * 1e6, 1);
      lines.push(`| ${s.label} | ${v.route === 'jwt' ? 'JWT' : 'API key'} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${added} |`);
    }
  });
  lines.push('');
  return { markdown: lines.join('\n') };
}
