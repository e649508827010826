// npm run bench [-- --quick]: the guard, the clients, a refresh storm, memory, the Redis stores and
// pacing, side by side in one run, against the built package (dist/). Writes bench/RESULTS.md. Not part of CI.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { guardSection } from './lib/guard-bench.mjs';
import { ablationSection, inGuardSection, injectSection } from './lib/inject-bench.mjs';
import { firstSightSection } from './lib/first-sight-bench.mjs';
import { clientSection } from './lib/client-bench.mjs';
import { stormSection } from './lib/storm-bench.mjs';
import { memorySection } from './lib/memory-bench.mjs';
import { redisSection } from './lib/redis-bench.mjs';
import { pacingSection } from './lib/pacing-bench.mjs';
import { accountsSection } from './lib/accounts-bench.mjs';
import { webhookSection } from './lib/webhook-bench.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const config = quick
  ? { mode: 'quick', rounds: 2, seconds: 0.8, warmup: 0.2, connections: 32, storm: 10_000, stormRounds: 1, invalid: 30_000, valid: 10_000 }
  : { mode: 'full', rounds: 5, seconds: 4, warmup: 1, connections: 32, storm: 10_000, stormRounds: 3, invalid: 1_000_000, valid: 100_000 };

const started = Date.now();
const sections = [];
const want = (name) => !only || only.split(',').includes(name);
if (want('guard')) sections.push(await guardSection(config));
if (want('inject')) sections.push(await injectSection(config));
if (want('firstsight')) sections.push(await firstSightSection(config));
if (want('ablation')) sections.push(await ablationSection(config));
if (want('inguard')) sections.push(await inGuardSection(config));
let bareRps;
if (want('client')) {
  const client = await clientSection(config);
  bareRps = client.bareRps;
  sections.push(client);
}
if (want('storm')) sections.push(await stormSection(config, bareRps));
if (want('memory')) sections.push(await memorySection(config));
if (want('redis')) sections.push(await redisSection(config));
if (want('pacing')) sections.push(await pacingSection(config));
if (want('accounts')) sections.push(await accountsSection(config));
if (want('webhooks')) sections.push(await webhookSection(config));

const pkg = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url))).version;
const load = spawnSync('sh', ['-c', 'cat /proc/loadavg 2>/dev/null'], { encoding: 'utf8' }).stdout.trim();
const header = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString()} in ${Math.round((Date.now() - started) / 1000)} s.`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GB; Node ${process.version};`,
  `@nestjs/core ${pkg('@nestjs/core')}, express adapter ${pkg('@nestjs/platform-express')}, fastify adapter ${pkg('@nestjs/platform-fastify')},`,
  `undici ${pkg('undici')}, autocannon ${pkg('autocannon')}, redis ${pkg('redis')}. Load average at the end: ${load || 'n/a'}.`,
  '',
  `Mode: ${config.mode} — ${config.rounds} rounds of ${config.seconds} s per variant, variants interleaved in each round, medians reported.`,
  'The server runs in its own process, the load generator (autocannon, or the clients) in another: on 2 cores',
  'each has one. Ratios are measured side by side in one run; absolute numbers move with machine load.',
  '',
];
const body = sections.map((s) => s.markdown).join('\n');
const verdicts = sections.flatMap((s) => s.targets ?? []);
const summary = [
  '## Targets',
  '',
  '| target | measured | result |',
  '|---|---|---|',
  ...verdicts.map((t) => `| ${t.name} | ${t.measured} | ${t.pass ? 'pass' : '**miss**'} |`),
  '',
];
// Hand-kept record of what profiling changed (not measured by this run).
const history = readFileSync(new URL('./before-after.md', import.meta.url), 'utf8');
const out = [...header, ...summary, body, history].join('\n');
// A quick run is a smoke test: it never replaces the full results.
if (!only) writeFileSync(new URL(quick ? './RESULTS.quick.md' : './RESULTS.md', import.meta.url), out);
console.log(out);
process.exit(0);
