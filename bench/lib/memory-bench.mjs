// Memory: a million requests with distinct invalid credentials, then 100,000 distinct valid
// tokens, through ProviderAuthGuard on Fastify. The server's RSS before and after each (after GC).
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { GUARD_SECRET } from './guard-bench.mjs';
import { ask, fmt, start } from './stats.mjs';

const APP = new URL('./guard-app.mjs', import.meta.url).pathname;
const MB = 2 ** 20;

/** `amount` requests to `path`, each with the credential `credential(i)`; returns the status counts. */
async function flood(port, path, amount, credential) {
  let i = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: 32,
    amount,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${credential(i++)}` } }) }],
  });
  return { ok: r['2xx'], refused: r['4xx'], other: r['5xx'] + r.errors };
}

export async function memorySection(config) {
  const { child, first } = await start(APP, ['fastify'], ['--expose-gc']);
  const rss = async () => (await ask(child, 'rss', 'rss')).rss;
  const before = await rss();
  // Half forged JWTs (valid shape, wrong signature), half well-formed but unknown API keys.
  const head = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  const invalid = (i) =>
    i % 2
      ? `${head}.${Buffer.from(JSON.stringify({ sub: `u${i}`, role: 'member', typ: 'access', jti: String(i), iat: 1, exp: 4e9 })).toString('base64url')}.${randomBytes(32).toString('base64url')}`
      : `afk_live_${randomBytes(24).toString('hex')}`;
  const bad = await flood(first.port, '/jwt', config.invalid, invalid);
  const afterInvalid = await rss();
  const now = Math.floor(Date.now() / 1000);
  const valid = Array.from({ length: config.valid }, (_, i) =>
    jwt.sign({ sub: `user-${i}`, role: 'member', typ: 'access', jti: randomUUID(), iat: now, exp: now + 3600 }, GUARD_SECRET),
  );
  const good = await flood(first.port, '/jwt', config.valid, (i) => valid[i % valid.length]);
  const afterValid = await rss();
  child.kill();
  const growthInvalid = (afterInvalid - before) / MB;
  const growthValid = (afterValid - afterInvalid) / MB;
  const lines = [
    '## 4. Memory',
    '',
    'ProviderAuthGuard on Fastify, in-memory stores, cache of verified credentials at its default bound (10,000). Server RSS after a forced GC.',
    '',
    '| phase | requests | answered 2xx / 4xx / other | RSS after | growth |',
    '|---|---:|---:|---:|---:|',
    `| start | – | – | ${fmt(before / MB, 1)} MB | – |`,
    `| distinct invalid credentials | ${fmt(config.invalid)} | ${fmt(bad.ok)} / ${fmt(bad.refused)} / ${fmt(bad.other)} | ${fmt(afterInvalid / MB, 1)} MB | ${fmt(growthInvalid, 1)} MB |`,
    `| distinct valid tokens | ${fmt(config.valid)} | ${fmt(good.ok)} / ${fmt(good.refused)} / ${fmt(good.other)} | ${fmt(afterValid / MB, 1)} MB | ${fmt(growthValid, 1)} MB |`,
    '',
  ];
  const targets = [
    {
      name: `memory: RSS growth < 64 MB over ${fmt(config.invalid)} distinct invalid credentials, all refused`,
      measured: `${fmt(growthInvalid, 1)} MB, ${fmt(bad.refused)} refused`,
      pass: growthInvalid < 64 && bad.refused === config.invalid,
    },
    {
      name: `memory: ${fmt(config.valid)} distinct valid tokens, all accepted, bounded cache`,
      measured: `${fmt(growthValid, 1)} MB, ${fmt(good.ok)} accepted`,
      pass: growthValid < 64 && good.ok === config.valid,
    },
  ];
  return { markdown: lines.join('\n'), targets };
}
