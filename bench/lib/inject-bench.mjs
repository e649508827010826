// The guard's own cost inside whole requests, in-process (inject: no sockets, no load generator),
// on both adapters: per-request time of each route minus that of the route behind a guard that
// returns true (Nest's own guard machinery, the floor of any guard).
import { fmt, median, start, ask } from './stats.mjs';

const APP = new URL('./inject-app.mjs', import.meta.url).pathname;
const ROUTES = [
  { route: 'open', label: 'no guard', auth: (c) => c.jwt },
  { route: 'trivial', label: 'a guard that returns true', auth: (c) => c.jwt },
  { route: 'setsuser', label: 'a guard that sets request.user (the floor of an auth guard)', auth: (c) => c.jwt },
  { route: 'jwt', label: 'ProviderAuthGuard, JWT + @Scopes', auth: (c) => c.jwt, target: true },
  { route: 'key', label: 'ProviderAuthGuard, API key + @Scopes', auth: (c) => c.apiKey, target: true },
  { route: 'roles', label: 'ProviderAuthGuard, JWT + @Roles', auth: (c) => c.jwt, target: true },
];
/** The target: at most this much over the trivial guard, per request. */
const TARGET_US = 1;
/**
 * A young generation large enough that scavenges come every few thousand requests instead of every
 * few hundred: with the default, which slices a scavenge lands on decided a route's time more than
 * the route did (slice times spread over 100–170 µs on Express). Every route runs in the same
 * process with the same heap, so each still pays for what it allocates, only in fewer, larger GCs.
 */
const EXEC_ARGV = ['--max-semi-space-size=64'];

export async function injectSection(config) {
  const n = config.mode === 'quick' ? 2_000 : 20_000;
  const rounds = config.mode === 'quick' ? 3 : 8;
  const lines = [
    '## 1b. Guard inside a request, in-process (inject)',
    '',
    `${n.toLocaleString('en-US')} requests per route per round in slices of 250, the routes taking turns slice by slice, ${rounds} rounds; the median slice of each route; \`fastify.inject\` and`,
    `light-my-request into Express, so no socket or load generator shares the 2 cores; node ${EXEC_ARGV.join(' ')} (fewer, larger scavenges: see bench/lib/inject-bench.mjs).`,
    'Each route carries the same Authorization header (the JWT) but the API-key route, whose key makes a shorter one (which flatters that row).',
    '',
    '| adapter | route | µs per request | over no guard | over the trivial guard | over the request.user guard |',
    '|---|---|---:|---:|---:|---:|',
  ];
  const targets = [];
  for (const adapter of ['express', 'fastify']) {
    const { child, first } = await start(APP, [adapter], EXEC_ARGV);
    const routes = ROUTES.map((r) => ({ route: r.route, authorization: `Bearer ${r.auth(first)}` }));
    child.send({ cmd: 'run', routes, n, rounds });
    const { perRequestNs } = await ask(child, null, 'perRequestNs');
    child.kill();
    const us = Object.fromEntries(Object.entries(perRequestNs).map(([route, xs]) => [route, median(xs) / 1_000]));
    for (const r of ROUTES) {
      const overOpen = us[r.route] - us.open;
      const overTrivial = us[r.route] - us.trivial;
      const overUser = us[r.route] - us.setsuser;
      const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
      lines.push(
        `| ${adapter} | ${r.label} | ${fmt(us[r.route], 2)} | ${signed(overOpen)} | ${r.route === 'open' ? '' : signed(overTrivial)} | ${r.target ? signed(overUser) : ''} |`,
      );
      if (r.target) {
        targets.push({
          name: `${adapter} inject: ${r.label} ≤ ${TARGET_US} µs over the trivial guard`,
          measured: `${overTrivial.toFixed(2)} µs`,
          pass: overTrivial <= TARGET_US,
        });
      }
    }
  }
  lines.push('');
  return { markdown: lines.join('\n'), targets };
}
