// Many accounts: 1,000 Affilync and 1,000 Convertly accounts served by one process through
// forAccount(). Memory per account client (against the same process with one account), logins
// per account, TCP connections per origin at the provider, the cost of spreading calls over the
// accounts, and forAccount()'s own cost on a cache hit.
// Run as a module it is the section; forked with WORKER (and --expose-gc) it is the client process.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { benchAccounts } from './accounts-stub.mjs';
import { fmt, median, start } from './stats.mjs';

const DIST = new URL('../../dist/', import.meta.url).href;
const SELF = new URL(import.meta.url).pathname;
const STUB = new URL('./accounts-stub.mjs', import.meta.url).pathname;
const WORKER = 'accounts-worker';
const ACCOUNTS = 1_000;
const CONCURRENCY = 32;
/** Connections per origin the module's pool may open (CONNECTIONS_PER_ORIGIN in lib/client/origin-connections.ts). */
const POOL_CONNECTIONS = 64;
const RSS_BOUND_KB = 20;
const KB = 1024;
const PROVIDERS = ['affilync', 'convertly'];
const VARIANTS = [
  { key: 'held', label: 'one account, its client held (`const c = forAccount(a)` once, then `c.get`)' },
  { key: 'one', label: 'one account, `forAccount(a).get` on every call' },
  { key: 'spread', label: `${fmt(ACCOUNTS)} accounts in turn, \`forAccount(a[i % ${fmt(ACCOUNTS)}]).get\`` },
];

/** Send `msg` to a child and wait for the answer carrying `field`. */
function request(child, msg, field) {
  return new Promise((resolve, reject) => {
    const on = (m) => {
      if (m && field in m) {
        child.off('message', on);
        child.off('exit', onExit);
        resolve(m[field]);
      }
    };
    const onExit = (code) => reject(new Error(`accounts bench: a child exited (${code})`));
    child.on('message', on);
    child.once('exit', onExit);
    child.send(msg);
  });
}

/** The user's app: both blocks without default credentials, every call through forAccount(). */
async function worker({ affilyncOrigin, convertlyOrigin, n }) {
  const lib = await import(`${DIST}index.js`);
  class AccountsApp {}
  Module({
    imports: [lib.ProviderAuthModule.forRoot({ affilync: { baseUrl: `${affilyncOrigin}/api` }, convertly: { baseUrl: `${convertlyOrigin}/v1` } })],
  })(AccountsApp);
  const app = await NestFactory.createApplicationContext(AccountsApp, { logger: false });
  const clients = { affilync: app.get(lib.AffilyncClient), convertly: app.get(lib.ConvertlyClient) };
  const paths = { affilync: '/campaigns', convertly: '/affiliates' };
  const accounts = benchAccounts(n);
  const creds = {
    affilync: accounts.map((a) => (a.affilyncBy === 'apiKey' ? { apiKey: a.apiKey } : { email: a.email, password: a.password })),
    convertly: accounts.map((a) => ({ email: a.email, password: a.password })),
  };
  const held = { affilync: clients.affilync.forAccount(creds.affilync[0]), convertly: clients.convertly.forAccount(creds.convertly[0]) };
  const memory = () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
  };
  const settle = async () => {
    for (let k = 0; k < 3; k++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  /** `calls` calls by CONCURRENCY loops; calls per second and the client process's CPU µs per call. */
  async function run(provider, variant, calls) {
    const client = clients[provider];
    const path = paths[provider];
    const list = creds[provider];
    const mine = held[provider];
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < calls) {
          const i = next++;
          if (variant === 'held') await mine.get(path);
          else if (variant === 'one') await client.forAccount(list[0]).get(path);
          else await client.forAccount(list[i % n]).get(path);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { rps: calls / seconds, cpuMicros: (cpu.user + cpu.system) / calls };
  }

  /** forAccount() on a cache hit, in a loop over every account: µs per lookup. */
  function lookup(provider, iterations) {
    const client = clients[provider];
    const list = creds[provider];
    let last;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) last = client.forAccount(list[i % n]);
    const micros = ((performance.now() - t0) * 1000) / iterations;
    if (!last) throw new Error('no client');
    return micros;
  }

  process.on('message', async (m) => {
    if (m.cmd === 'memory') {
      // One account per provider, warmed with the calls the measured phase will make (sockets opened,
      // code compiled), then every other account: one forAccount() and one call each, 50 at a time.
      // A light warm-up: garbage from many more calls would leave V8 pages that RSS keeps after GC.
      for (const p of PROVIDERS) await run(p, 'one', m.warmCalls);
      await settle();
      const one = memory();
      for (let from = 1; from < n; from += 50) {
        const batch = [];
        for (let i = from; i < Math.min(n, from + 50); i++) for (const p of PROVIDERS) batch.push(clients[p].forAccount(creds[p][i]).get(paths[p]));
        await Promise.all(batch);
      }
      await settle();
      const all = memory();
      process.send({ memory: { one, all, clientsAdded: (n - 1) * PROVIDERS.length } });
    } else if (m.cmd === 'run') {
      process.send({ run: await run(m.provider, m.variant, m.calls) });
    } else if (m.cmd === 'lookup') {
      process.send({ lookup: lookup(m.provider, m.iterations) });
    } else if (m.cmd === 'exit') {
      await app.close();
      process.exit(0);
    }
  });
  process.send({ ready: true });
}

export async function accountsSection(config) {
  const quick = config.mode === 'quick';
  const calls = Math.round(config.seconds * 1_500);
  const rounds = config.rounds;
  const { child: stub, first: origins } = await start(STUB, [String(ACCOUNTS)]);
  const { child: client } = await start(SELF, [WORKER, JSON.stringify({ ...origins, n: ACCOUNTS })], ['--expose-gc']);
  const mem = await request(client, { cmd: 'memory', warmCalls: 2_000 }, 'memory');
  const afterMemory = await request(stub, { cmd: 'counts' }, 'counts');

  const runs = new Map();
  const lookups = new Map(PROVIDERS.map((p) => [p, []]));
  for (const p of PROVIDERS) for (const v of VARIANTS) runs.set(`${p}:${v.key}`, []);
  for (let round = 0; round < rounds; round++) {
    for (const p of PROVIDERS) {
      for (let i = 0; i < VARIANTS.length; i++) {
        const v = VARIANTS[(i + round) % VARIANTS.length];
        runs.get(`${p}:${v.key}`).push(await request(client, { cmd: 'run', provider: p, variant: v.key, calls }, 'run'));
      }
      lookups.get(p).push(await request(client, { cmd: 'lookup', provider: p, iterations: quick ? 20_000 : 50_000 }, 'lookup'));
    }
  }
  const counts = await request(stub, { cmd: 'counts' }, 'counts');
  client.send({ cmd: 'exit' });
  await new Promise((r) => client.once('exit', r));
  stub.kill();

  const med = (p, v, field) => median(runs.get(`${p}:${v}`).map((r) => r[field]));
  const perClient = (field) => (mem.all[field] - mem.one[field]) / mem.clientsAdded;
  const rssPerClient = perClient('rss') / KB;
  const heapPerClient = perClient('heapUsed') / KB;
  const externalPerClient = perClient('external') / KB;
  const accounts = benchAccounts(ACCOUNTS);
  const expectedLogins = {
    affilync: accounts.map((a) => (a.affilyncBy === 'login' ? 1 : 0)),
    convertly: accounts.map(() => 1),
  };
  const loginsOk = (c, p) => c[p].logins.every((x, i) => x === expectedLogins[p][i]) && c[p].refreshes === 0;
  const totalLogins = (c, p) => c[p].logins.reduce((a, b) => a + b, 0);
  const off = (c, p) => c[p].logins.filter((x, i) => x !== expectedLogins[p][i]).length;

  const lines = [
    `## 7. Many accounts (${fmt(ACCOUNTS)} per provider, one process, forAccount())`,
    '',
    `One client process (\`ProviderAuthModule.forRoot({ affilync: { baseUrl }, convertly: { baseUrl } })\` from dist/, in-memory`,
    `stores, \`--expose-gc\`) and a provider stub in another (one node:http origin per provider; a login per account, a new`,
    `token at each; Affilync answers carry X-RateLimit-* headers with a budget never reached, so per-account pacing does its`,
    `bookkeeping on every call). Affilync accounts: even ones by API key, odd ones by login; Convertly: every one by login.`,
    '',
    '### Memory',
    '',
    `The process with one account per provider, warmed by ${fmt(2_000)} calls on each (sockets open, code compiled), against`,
    `the same process after ${fmt(ACCOUNTS - 1)} more accounts per provider each made its client (forAccount()) and one call`,
    `(a login for the login accounts): ${fmt(mem.clientsAdded)} account clients added. After two forced GCs.`,
    '',
    '| | 1 account per provider | 1,000 accounts per provider | growth | per account client |',
    '|---|---:|---:|---:|---:|',
    ...[
      ['RSS', 'rss', rssPerClient],
      ['V8 heap used', 'heapUsed', heapPerClient],
      ['external (buffers)', 'external', externalPerClient],
    ].map(
      ([label, field, per]) =>
        `| ${label} | ${fmt(mem.one[field] / KB / KB, 1)} MB | ${fmt(mem.all[field] / KB / KB, 1)} MB | ${fmt((mem.all[field] - mem.one[field]) / KB / KB, 1)} MB | ${fmt(per, 1)} KB |`,
    ),
    '',
    '### Logins and connections at the provider',
    '',
    '| provider | login accounts | logins | accounts with a login count ≠ 1 (≠ 0 for API keys) | refreshes | peak open connections | connections opened in all |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...PROVIDERS.map(
      (p) =>
        `| ${p === 'affilync' ? 'Affilync' : 'Convertly'} | ${fmt(expectedLogins[p].reduce((a, b) => a + b, 0))} | ${fmt(totalLogins(counts, p))} | ${off(counts, p)} | ${counts[p].refreshes} | ${counts[p].sockets.peak} | ${counts[p].sockets.opened} |`,
    ),
    '',
    `Counted at the end of the section (after the throughput runs below, which log nobody in again); ${counts.refused} calls refused`,
    'by the stub (a credential it did not know).',
    '',
    '### Spreading calls over the accounts',
    '',
    `${fmt(calls)} GET calls per run, ${CONCURRENCY} in flight, ${rounds} rounds with the variants interleaved, medians. Client CPU µs per call`,
    "is the client process's user + system CPU time ÷ calls (independent of which process is the bottleneck). The one-account",
    'variants use account 0 (on Affilync an API-key account, the cheaper credential: the spread ratio there is, if anything, low).',
    '',
    '| provider | variant | calls/s | client CPU µs per call | × one account held | × one account, forAccount() per call |',
    '|---|---|---:|---:|---:|---:|',
  ];
  const targets = [];
  for (const p of PROVIDERS) {
    const held = med(p, 'held', 'rps');
    const one = med(p, 'one', 'rps');
    for (const v of VARIANTS) {
      const rps = med(p, v.key, 'rps');
      lines.push(
        `| ${p === 'affilync' ? 'Affilync' : 'Convertly'} | ${v.label} | ${fmt(rps)} | ${fmt(med(p, v.key, 'cpuMicros'), 1)} | ${(rps / held).toFixed(2)} | ${(rps / one).toFixed(2)} |`,
      );
    }
  }
  lines.push(
    '',
    '### forAccount() on a cache hit',
    '',
    `A loop of forAccount() over the ${fmt(ACCOUNTS)} cached accounts (the credentials as given make the key; an LRU lookup), median of ${rounds}`,
    'runs, against the client CPU time of one `get` by a held client (above).',
    '',
    '| provider | forAccount() µs | get, client CPU µs | lookup ÷ get |',
    '|---|---:|---:|---:|',
    ...PROVIDERS.map((p) => {
      const l = median(lookups.get(p));
      const g = med(p, 'held', 'cpuMicros');
      return `| ${p === 'affilync' ? 'Affilync' : 'Convertly'} | ${fmt(l, 2)} | ${fmt(g, 1)} | ${(l / g).toFixed(2)} |`;
    }),
    '',
    `The bound on memory: ${RSS_BOUND_KB} KB per account client (the larger of RSS growth and heap + external growth: RSS after`,
    'GC keeps pages that earlier garbage left, so it may grow less than the heap), i.e. 20 MB for a full default cache',
    "(`accountsCacheSize` 1,000) per provider, a fifth of a small Nest app's own RSS; an account client is a handful of",
    'small objects (client, resource namespaces, token manager, pacer, transport view) and its token and budget entries.',
    '',
  );
  for (const p of PROVIDERS) {
    const name = p === 'affilync' ? 'Affilync' : 'Convertly';
    targets.push(
      {
        name: `accounts, ${name}: one login per login account (${fmt(expectedLogins[p].reduce((a, b) => a + b, 0))}), none for API keys, no refresh`,
        measured: `${fmt(totalLogins(counts, p))} logins, ${off(counts, p)} accounts off, ${counts[p].refreshes} refreshes`,
        pass: loginsOk(counts, p) && loginsOk(afterMemory, p) && counts.refused === 0,
      },
      {
        name: `accounts, ${name}: peak connections at the provider ≤ ${POOL_CONNECTIONS} (one pool per origin)`,
        measured: `${counts[p].sockets.peak} (${counts[p].sockets.opened} opened in all)`,
        pass: counts[p].sockets.peak <= POOL_CONNECTIONS,
      },
    );
  }
  // RSS after GC keeps pages the warm-up's garbage left behind, so it can grow less than the heap did:
  // the target holds whichever of the two is larger.
  const perClientKb = Math.max(rssPerClient, heapPerClient + externalPerClient);
  targets.push({
    name: `accounts: memory per account client < ${RSS_BOUND_KB} KB (larger of RSS and heap + external growth, ${fmt(mem.clientsAdded)} clients)`,
    measured: `${fmt(perClientKb, 1)} KB (RSS ${fmt(rssPerClient, 1)}, heap ${fmt(heapPerClient, 1)}, external ${fmt(externalPerClient, 1)})`,
    pass: perClientKb < RSS_BOUND_KB,
  });
  return { markdown: lines.join('\n'), targets };
}

if (process.argv[2] === WORKER) await worker(JSON.parse(process.argv[3]));
