// Refresh storm: 10,000 concurrent calls on an expired token. One refresh must go out, and all
// calls settle within 1.2 × (one refresh + 10,000 ÷ bare-undici req/s measured in this run).
import { request } from 'undici';
import { clientsFor } from './client-bench.mjs';
import { ask, fmt, median, sleep, start } from './stats.mjs';

const STUB = new URL('./stub-provider.mjs', import.meta.url).pathname;

export async function stormSection(config, bareRps) {
  const lifetimeSec = 2;
  const { child, first } = await start(STUB, [String(lifetimeSec)]);
  const origin = `http://127.0.0.1:${first.port}`;
  // One refresh's own time, measured the same way (median of 20).
  const single = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const res = await request(`${origin}/api/auth/refresh`, { method: 'POST', body: '{"refresh_token":"x"}', headers: { 'content-type': 'application/json' } });
    await res.body.json();
    single.push(performance.now() - t);
  }
  const refreshMs = median(single);
  const { app, affilync } = await clientsFor({ affilync: { baseUrl: `${origin}/api`, email: 'bench@example.com', password: 'bench-password' } });
  await affilync.get('/campaigns'); // logs in
  // One storm to warm up (JIT, the pool's connections), then the measured ones, each on a
  // freshly expired token.
  const storms = [];
  for (let round = 0; round <= config.stormRounds; round++) {
    await sleep(lifetimeSec * 1000 + 200); // the token has expired
    await ask(child, 'reset', 'reset');
    const t0 = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: config.storm }, () => affilync.get('/campaigns')));
    const ms = performance.now() - t0;
    const { counts } = await ask(child, 'counts', 'counts');
    if (round > 0) storms.push({ ms, counts, failed: settled.filter((r) => r.status === 'rejected').length });
  }
  await app.close();
  child.kill();
  const settleMs = median(storms.map((s) => s.ms));
  const counts = { refreshes: Math.max(...storms.map((s) => s.counts.refreshes)), logins: Math.max(...storms.map((s) => s.counts.logins)) };
  const failed = storms.reduce((n, s) => n + s.failed, 0);
  const minRefreshes = Math.min(...storms.map((s) => s.counts.refreshes));
  const budgetMs = bareRps ? 1.2 * (refreshMs + (config.storm / bareRps) * 1000) : NaN;
  const lines = [
    '## 3. Refresh storm',
    '',
    `${fmt(config.storm)} concurrent \`AffilyncClient.get\` calls on an expired token (email/password mode; the client's undici pool is capped at 64 connections).`,
    '',
    '| measure | value |',
    '|---|---:|',
    `| storms measured (after one to warm up) | ${storms.length} |`,
    `| refreshes sent per storm | ${storms.map((s) => s.counts.refreshes).join(', ')} |`,
    `| logins sent per storm | ${storms.map((s) => s.counts.logins).join(', ')} |`,
    `| calls failed | ${failed} |`,
    `| each storm settled after | ${storms.map((s) => `${fmt(s.ms)} ms`).join(', ')} |`,
    `| one refresh alone (median of 20) | ${fmt(refreshMs, 2)} ms |`,
    `| all ${fmt(config.storm)} settled after (median) | ${fmt(settleMs)} ms |`,
    `| budget: 1.2 × (refresh + ${fmt(config.storm)} ÷ ${bareRps ? fmt(bareRps) : '?'} req/s) | ${Number.isNaN(budgetMs) ? 'n/a (run the client section)' : `${fmt(budgetMs)} ms`} |`,
    '',
  ];
  const targets = [
    {
      name: 'refresh storm: exactly 1 refresh, no login, no failure',
      measured: `${counts.refreshes} refresh, ${counts.logins} login, ${failed} failed`,
      pass: counts.refreshes === 1 && minRefreshes === 1 && counts.logins === 0 && failed === 0,
    },
  ];
  if (!Number.isNaN(budgetMs))
    targets.push({ name: 'refresh storm settles within budget', measured: `${fmt(settleMs)} ms of ${fmt(budgetMs)} ms`, pass: settleMs <= budgetMs });
  return { markdown: lines.join('\n'), targets };
}
