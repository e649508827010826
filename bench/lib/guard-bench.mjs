// Guard benchmark: the same trivial handler behind each guard, on Express and on Fastify.
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { fmt, median, start } from './stats.mjs';
import { SPIN_NS } from './spin-guard.mjs';

const APP = new URL('./guard-app.mjs', import.meta.url).pathname;
export const GUARD_SECRET = 'bench-secret-of-at-least-32-bytes!!';

/** One autocannon run; throws if any answer was not 2xx (a 401 would flatter a guard). */
export async function hit(url, authorization, seconds, connections) {
  const r = await autocannon({ url, connections, duration: seconds, headers: authorization ? { authorization } : {} });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50 };
}

export const VARIANTS = [
  // The same Authorization header on every route: the ratios measure the guard, not the cost of
  // parsing a 300-byte header (which a client sends whether the route checks it or not).
  { route: 'open', label: 'no guard', auth: (c) => `Bearer ${c.jwt}` },
  { route: 'trivial', label: 'a guard that returns true (the floor of any Nest guard)', auth: (c) => `Bearer ${c.jwt}` },
  {
    route: 'setsuser',
    label: 'a guard that reads the Authorization header and sets request.user (the floor of a bearer guard)',
    auth: (c) => `Bearer ${c.jwt}`,
  },
  {
    route: 'spin',
    label: `a guard that only spends ${SPIN_NS / 1_000} µs (a busy loop): the target's allowance as a guard`,
    auth: (c) => `Bearer ${c.jwt}`,
  },
  { route: 'jwt', label: 'ProviderAuthGuard, JWT + @Scopes', auth: (c) => `Bearer ${c.jwt}`, target: true },
  { route: 'key', label: 'ProviderAuthGuard, API key + @Scopes', auth: (c) => `Bearer ${c.apiKey}`, target: true },
  { route: 'roles', label: 'ProviderAuthGuard, JWT + @Roles', auth: (c) => `Bearer ${c.jwt}`, target: true },
  { route: 'recipe', label: "docs recipe: AuthGuard('jwt'), passport-jwt, string secret", auth: (c) => `Bearer ${c.recipeJwt}` },
  { route: 'passport', label: "AuthGuard('provider-bearer')", auth: (c) => `Bearer ${c.jwt}` },
];

/** Measure every variant on one running app, interleaved per round; medians. */
export async function measureApp(port, creds, variants, config) {
  const runs = new Map(variants.map((v) => [v.route, []]));
  for (const v of variants) await hit(`http://127.0.0.1:${port}/${v.route}`, v.auth(creds), config.warmup, config.connections);
  for (let round = 0; round < config.rounds; round++) {
    // Rotate the order each round so no variant always runs first or last.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const v of order) runs.get(v.route).push(await hit(`http://127.0.0.1:${port}/${v.route}`, v.auth(creds), config.seconds, config.connections));
  }
  return new Map(
    variants.map((v) => {
      const rs = runs.get(v.route);
      return [v.route, { rps: median(rs.map((r) => r.rps)), p99: median(rs.map((r) => r.p99)), p50: median(rs.map((r) => r.p50)) }];
    }),
  );
}

export async function guardSection(config) {
  const lines = [
    '## 1. Guard',
    '',
    `autocannon, ${config.connections} connections, same handler (\`{ ok: true }\`) on every route, and the same`,
    'Authorization header on every request (the unguarded routes ignore it), so the ratios measure the guard alone.',
    '',
  ];
  const targets = [];
  for (const adapter of ['express', 'fastify']) {
    const { child, first } = await start(APP, [adapter]);
    // The docs recipe reads what it signs with its own string secret (same claims as ours).
    const creds = { ...first, recipeJwt: jwt.sign({ sub: 'bench-user', role: 'member' }, GUARD_SECRET, { expiresIn: 3600 }) };
    const results = await measureApp(first.port, creds, VARIANTS, config);
    child.kill();
    const base = results.get('open').rps;
    const recipe = results.get('recipe').rps;
    lines.push(
      `### ${adapter === 'express' ? 'Express' : 'Fastify'}`,
      '',
      '| route | req/s | p99 ms | × unguarded | × docs recipe |',
      '|---|---:|---:|---:|---:|',
    );
    for (const v of VARIANTS) {
      const r = results.get(v.route);
      lines.push(`| ${v.label} | ${fmt(r.rps)} | ${fmt(r.p99, 1)} | ${(r.rps / base).toFixed(2)} | ${(r.rps / recipe).toFixed(2)} |`);
      if (v.target) {
        targets.push({ name: `${adapter}: ${v.label} ≥ 0.90× unguarded`, measured: `${(r.rps / base).toFixed(2)}×`, pass: r.rps / base >= 0.9 });
      }
    }
    lines.push('');
  }
  return { markdown: lines.join('\n'), targets };
}
