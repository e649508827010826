// The guard's own cost inside whole requests, in-process (inject: no sockets, no load generator),
// on both adapters: per-request time of each route minus that of the route behind a guard that
// returns true (Nest's own guard machinery, the floor of any guard) — section 1b; the same
// measurement of the guard's cache-hit path without each of its pieces in turn — section 1d; and
// each guard's own time inside those requests, its calls timed — section 1e.
import { fmt, median, start, ask } from './stats.mjs';
import { TIMED_PIECES, VARIANTS } from './guard-variants.mjs';
import { SPIN_NS } from './spin-guard.mjs';

const APP = new URL('./inject-app.mjs', import.meta.url).pathname;
const ROUTES = [
  { route: 'open', label: 'no guard', auth: (c) => c.jwt },
  { route: 'trivial', label: 'a guard that returns true', auth: (c) => c.jwt },
  { route: 'setsuser', label: 'a guard that reads the Authorization header and sets request.user (the floor of a bearer guard)', auth: (c) => c.jwt },
  { route: 'clock', label: 'the bearer floor plus one clock read (Date.now() against an expiry)', auth: (c) => c.jwt, overFloor: true },
  {
    route: 'cachedfloor',
    label: 'a minimal cached bearer guard, inline: the framing checks, a Map lookup of the header, the clock, a copy of the principal',
    auth: (c) => c.jwt,
    overFloor: true,
  },
  { route: 'spin', label: `a guard that only spends ${SPIN_NS / 1_000} µs (a busy loop on the clock): the target's allowance as a guard`, auth: (c) => c.jwt },
  { route: 'jwt', label: 'ProviderAuthGuard, JWT + @Scopes', auth: (c) => c.jwt, target: true },
  { route: 'key', label: 'ProviderAuthGuard, API key + @Scopes', auth: (c) => c.apiKey, target: true },
  { route: 'roles', label: 'ProviderAuthGuard, JWT + @Roles', auth: (c) => c.jwt, target: true },
];
/** Processes per adapter, each registering the routes in another order. */
const PROCESSES = 4;
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
    `${n.toLocaleString('en-US')} requests per route per round in slices of 250, the routes taking turns slice by slice, ${Math.ceil(rounds / PROCESSES)} rounds in each of ${PROCESSES} processes`,
    `that register the routes in different orders, slices pooled; \`fastify.inject\` and`,
    `light-my-request into Express, so no socket or load generator shares the 2 cores; node ${EXEC_ARGV.join(' ')} (fewer, larger scavenges: see bench/lib/inject-bench.mjs).`,
    '"µs per request" is the median slice of each route; each "over" column is the median, over all turns, of the difference between',
    "two routes' slices of the same turn (slices that ran next to each other), so a slow patch of the machine cancels out.",
    'On Express every route is the only route of its own app (Express tries routes in the order they were registered: see bench/lib/guard-app-module.mjs).',
    'Each route carries the same Authorization header (the JWT) but the API-key route, whose key makes a shorter one (which flatters that row).',
    '',
    'The two reference guards before ours (bench/lib/guard-app-module.mjs) show what the clock read and the least a cache of verified',
    'credentials must do cost inside a request; the second-to-last column compares ours with the second. The guard that only spends',
    `${SPIN_NS / 1_000} µs is the target as a guard: what this measurement makes of a guard that costs exactly the allowance (its own time`,
    'inside requests is in §1e); the last column compares ours with it.',
    '',
    `| adapter | route | µs per request | over no guard | over the trivial guard | over the bearer-floor guard | over the minimal cached guard | over the ${SPIN_NS / 1_000} µs guard |`,
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const targets = [];
  for (const adapter of ['express', 'fastify']) {
    const { us, over } = await pooledSlices(adapter, ROUTES, n, rounds);
    for (const r of ROUTES) {
      const overOpen = over(r.route, 'open');
      const overTrivial = over(r.route, 'trivial');
      const overUser = over(r.route, 'setsuser');
      const overCached = over(r.route, 'cachedfloor');
      const overSpin = over(r.route, 'spin');
      lines.push(
        `| ${adapter} | ${r.label} | ${fmt(us[r.route], 2)} | ${signed(overOpen)} | ${r.route === 'open' ? '' : signed(overTrivial)} | ${r.target || r.overFloor ? signed(overUser) : ''} | ${r.target ? signed(overCached) : ''} | ${r.target ? signed(overSpin) : ''} |`,
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

const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
const signedNs = (x) => `${x >= 0 ? '+' : ''}${Math.round(x)}`;

/**
 * The guards' own time inside whole requests: each guard call timed from its start to its return,
 * in requests sent as §1b sends them (its routes and one more, processes that register them in
 * different orders, fewer requests: these times spread far less than whole requests do). No target
 * of its own: it shows how much of §1b's request-level difference is spent inside the guard.
 */
export async function inGuardSection(config) {
  const n = config.mode === 'quick' ? 2_000 : 10_000;
  const rounds = config.mode === 'quick' ? 2 : 4;
  const routeList = ROUTES.filter((r) => r.route !== 'open');
  const lines = [
    "## 1e. The guard's own time inside a request (inject, each guard call timed)",
    '',
    `§1b's routes and one more (the pieces route, below), ${n.toLocaleString('en-US')} requests per route per round, ${PROCESSES} processes registering them in different orders; each guard's`,
    '`canActivate` timed from its call to its return with `process.hrtime.bigint()` (bench/lib/guard-app-module.mjs, `timeGuardCalls`):',
    "what the guard itself spends inside a real request, with the CPU's caches as the request leaves them. The two clock reads of",
    'the timing are in every row alike, so each "over" column is the guards\' difference. "ns per call" is the median over slices of',
    'each slice\'s mean; "over" the median, over all turns, of the difference between two routes\' slices of the same turn.',
    '',
    `| adapter | route | ns per call | ns over the trivial guard | ns over the ${SPIN_NS / 1_000} µs guard |`,
    '|---|---|---:|---:|---:|',
  ];
  // The cache-hit path with a clock read between its pieces, beside the others (JWT + @Scopes).
  const withPieces = [...ROUTES, { route: 'pieces', label: 'the cache-hit path, a clock read between its pieces', auth: (c) => c.jwt }];
  const pieces = {};
  for (const adapter of ['express', 'fastify']) {
    const { inGuard, piecesNs } = await pooledSlices(adapter, withPieces, n, rounds, { timed: true });
    pieces[adapter] = piecesNs;
    for (const r of routeList) {
      const own = inGuard.ns[r.route];
      lines.push(
        `| ${adapter} | ${r.label} | ${fmt(own, 0)} | ${r.route === 'trivial' ? '' : signedNs(inGuard.over(r.route, 'trivial'))} | ${r.target ? signedNs(inGuard.over(r.route, 'spin')) : ''} |`,
      );
    }
  }
  lines.push(
    '',
    "Where the guard's own time goes: its cache-hit path (JWT + `@Scopes`) rebuilt as §1d's control is, with a clock read",
    'between its pieces (bench/lib/guard-variants.mjs, `piecesGuard`), as one more route of the same processes. Each piece is the',
    'median over slices of its mean per call, less the last row (two clock reads back to back: what each mark adds).',
    '',
    '| piece | express ns | fastify ns |',
    '|---|---:|---:|',
  );
  const mark = Object.fromEntries(Object.entries(pieces).map(([adapter, p]) => [adapter, median(p.mark)]));
  const sums = { express: 0, fastify: 0 };
  for (const [piece, label] of TIMED_PIECES) {
    const cell = (adapter) => {
      if (piece === 'mark') return fmt(mark[adapter], 0);
      const ns = median(pieces[adapter][piece]) - mark[adapter];
      sums[adapter] += ns;
      return fmt(ns, 0);
    };
    const express = cell('express');
    lines.push(`| ${label} | ${express} | ${cell('fastify')} |`);
  }
  lines.push(`| all the pieces but the mark | ${fmt(sums.express, 0)} | ${fmt(sums.fastify, 0)} |`, '');
  return { markdown: lines.join('\n'), targets: [] };
}

/**
 * Each route's slices (ns per request), from PROCESSES processes that each register the routes in
 * another order, pooled: `us` is each route's median slice in µs, `over(route, base)` the median
 * difference between two routes' slices of the same turn, in µs.
 */
async function pooledSlices(adapter, routeList, n, rounds, { timed = false } = {}) {
  // Where a route's code lands and which routes' calls the shared code saw first move a route's
  // time by 1–2 µs from one process to the next: each process registers the routes in another
  // order, and all their slices are pooled.
  const perRequestNs = Object.fromEntries(routeList.map((r) => [r.route, []]));
  const inGuardNs = Object.fromEntries(routeList.map((r) => [r.route, []]));
  const piecesNs = {};
  for (let p = 0; p < PROCESSES; p++) {
    const order = routeList.map((_, i) => routeList[(i + p * 2) % routeList.length].route);
    const { child, first } = await start(APP, [adapter, order.join(','), ...(timed ? ['timed'] : [])], EXEC_ARGV);
    const routes = routeList.map((r) => ({ route: r.route, authorization: `Bearer ${r.auth(first)}` }));
    child.send({ cmd: 'run', routes, n, rounds: Math.ceil(rounds / PROCESSES) });
    const answer = await ask(child, null, 'perRequestNs');
    child.kill();
    for (const r of routeList) perRequestNs[r.route].push(...answer.perRequestNs[r.route]);
    if (timed) for (const r of routeList) inGuardNs[r.route].push(...answer.inGuardNs[r.route]);
    if (timed) for (const [piece, xs] of Object.entries(answer.piecesNs)) (piecesNs[piece] ??= []).push(...xs);
  }
  const us = Object.fromEntries(Object.entries(perRequestNs).map(([route, xs]) => [route, median(xs) / 1_000]));
  // Slice i of every route ran in the same turn, next to each other: compare turn by turn.
  const over = (route, base) => median(perRequestNs[route].map((ns, i) => ns - perRequestNs[base][i])) / 1_000;
  // The guards' own time (ns), for the routes that have one; slice i again of the same turn.
  const inGuard = {
    ns: Object.fromEntries(Object.entries(inGuardNs).map(([route, xs]) => [route, xs.length ? median(xs) : NaN])),
    over: (route, base) => median(inGuardNs[route].map((ns, i) => ns - inGuardNs[base][i])),
  };
  return { us, over, inGuard, piecesNs };
}

/**
 * Where the guard's time goes inside a request: ProviderAuthGuard's cache-hit path rebuilt whole
 * (the control) and without each of its pieces in turn (bench/lib/guard-variants.mjs), beside the
 * guard itself and the trivial guard, in the same processes. A piece costs what leaving it out saves.
 */
export async function ablationSection(config) {
  const n = config.mode === 'quick' ? 2_000 : 20_000;
  const rounds = config.mode === 'quick' ? 3 : 8;
  // The trivial guard and ours as §1b has them, then the variants (each carries the JWT, as ours does).
  const routeList = [
    ...ROUTES.filter((r) => r.route === 'trivial' || r.route === 'jwt'),
    ...VARIANTS.map((v) => ({ route: v.route, label: v.label, auth: (c) => c.jwt })),
  ];
  const lines = [
    "## 1d. Where the guard's time goes inside a request (inject)",
    '',
    "ProviderAuthGuard's cache-hit path (cached JWT, `@Scopes`) rebuilt in a subclass, whole (the control, which should",
    'measure as the guard does) and without one of its pieces at a time (bench/lib/guard-variants.mjs), measured as §1b measures',
    `(${n.toLocaleString('en-US')} requests per route per round in slices of 250, routes taking turns, ${PROCESSES} processes, slices pooled).`,
    'What leaving a piece out saves is what it costs. The control runs the same code as the guard: its difference from the',
    'guard is the spread of this measurement, and a saving no larger than that cannot be told from none.',
    '',
    '| adapter | route | µs per request | over the trivial guard | over ProviderAuthGuard |',
    '|---|---|---:|---:|---:|',
  ];
  for (const adapter of ['express', 'fastify']) {
    const { us, over } = await pooledSlices(adapter, routeList, n, rounds);
    for (const r of routeList) {
      const overGuard = r.route === 'jwt' || r.route === 'trivial' ? '' : signed(over(r.route, 'jwt'));
      lines.push(`| ${adapter} | ${r.label} | ${fmt(us[r.route], 2)} | ${r.route === 'trivial' ? '' : signed(over(r.route, 'trivial'))} | ${overGuard} |`);
    }
  }
  lines.push('');
  return { markdown: lines.join('\n'), targets: [] };
}
