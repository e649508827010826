// First sight of a credential: the verifier's whole check of a JWT (or API key) it has not seen
// before — cache off, so every call is a first sight — beside its floor, in a child process of
// its own. The JWT floor is jsonwebtoken.verify alone with the same KeyObject and the claim
// checks jsonwebtoken makes (signature, exp, nbf with the clock tolerance); the API-key floor is
// SHA-256 of the key (Node's one-shot crypto.hash, the quickest it has), the least any check that
// stores only a hash must do per key.
import { createSecretKey, hash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { fmt, median, start } from './stats.mjs';

const SELF = new URL(import.meta.url).pathname;
const SECRET = 'first-sight-secret-of-at-least-32-bytes!';
const OLD_SECRET = 'first-sight-old-secret-at-least-32-bytes!';
const TOLERANCE_SEC = 5;
/** The target: the whole first-sight JWT check at most this many times jsonwebtoken.verify alone. */
const TARGET_RATIO = 1.5;

const VARIANTS = [
  { id: 'jwtLib', label: '(a) `jsonwebtoken.verify(token, keyObject, { algorithms: [HS256], clockTolerance })`' },
  { id: 'jwt', label: '(b) CredentialVerifier.verify, first sight of a JWT (one secret)' },
  { id: 'jwtKids', label: '(c) the same, `jwtSecret` a 2-entry `{ kid, secret }` list (token names the first kid)' },
  { id: 'keyFloor', label: '(d0) SHA-256 of the API key (hex, `crypto.hash`), alone' },
  { id: 'key', label: '(d) CredentialVerifier.verify, first sight of an API key' },
];

export async function firstSightSection(config) {
  const n = config.mode === 'quick' ? 4_000 : 20_000;
  const rounds = config.mode === 'quick' ? 3 : 9;
  const { child, first } = await start(SELF, ['child', String(n), String(rounds)]);
  child.kill();
  if (first.error) throw new Error(`first-sight bench: ${first.error}`);
  const us = Object.fromEntries(VARIANTS.map((v) => [v.id, median(first.nsPerOp[v.id]) / 1_000]));
  const ratio = (id, floor) => us[id] / us[floor];
  const lines = [
    '## 1c. First sight of a credential',
    '',
    `The verifier's whole check (\`CredentialVerifier.verify\`, the guard's call) with \`incoming.cacheEntries: 0\`, in-memory stores,`,
    `on ${fmt(n)} distinct valid credentials issued by TokenService / ApiKeyService; ${rounds} rounds, variants interleaved, medians.`,
    'Floors run in the same process on the same credentials (the JWTs of (b), the same KeyObject).',
    '',
    '| variant | µs per check | × its floor |',
    '|---|---:|---:|',
    `| ${VARIANTS[0].label} | ${fmt(us.jwtLib, 2)} | 1.00 |`,
    `| ${VARIANTS[1].label} | ${fmt(us.jwt, 2)} | ${ratio('jwt', 'jwtLib').toFixed(2)} |`,
    `| ${VARIANTS[2].label} | ${fmt(us.jwtKids, 2)} | ${ratio('jwtKids', 'jwtLib').toFixed(2)} |`,
    `| ${VARIANTS[3].label} | ${fmt(us.keyFloor, 2)} | 1.00 |`,
    `| ${VARIANTS[4].label} | ${fmt(us.key, 2)} | ${ratio('key', 'keyFloor').toFixed(2)} |`,
    '',
  ];
  const targets = [
    {
      name: `first sight of a JWT ≤ ${TARGET_RATIO}× jsonwebtoken.verify alone`,
      measured: `${ratio('jwt', 'jwtLib').toFixed(2)}× (${fmt(us.jwt, 2)} vs ${fmt(us.jwtLib, 2)} µs)`,
      pass: ratio('jwt', 'jwtLib') <= TARGET_RATIO,
    },
  ];
  return { markdown: lines.join('\n'), targets };
}

/** The child: two app contexts (one secret, a kid list), credentials issued up front, then the rounds. */
async function child(n, rounds) {
  await import('reflect-metadata');
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { default: jsonwebtoken } = await import('jsonwebtoken');
  const DIST = new URL('../../dist/', import.meta.url).href;
  const { ApiKeyService, CredentialVerifier, ProviderAuthModule, TokenService } = await import(`${DIST}index.js`);

  const context = async (jwtSecret) => {
    class AppModule {}
    Module({ imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret, cacheEntries: 0, clockToleranceSec: TOLERANCE_SEC } })] })(AppModule);
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    return { app, verifier: app.get(CredentialVerifier), tokens: app.get(TokenService), keys: app.get(ApiKeyService) };
  };
  const single = await context(SECRET);
  const listed = await context([
    { kid: 'k2', secret: SECRET },
    { kid: 'k1', secret: OLD_SECRET },
  ]);

  const issue = async (svc) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push((await svc.issue({ sub: `user-${i}`, role: i % 2 ? 'member' : 'admin', plan: 'growth' })).access_token);
    return out;
  };
  const jwts = await issue(single.tokens);
  const kidJwts = await issue(listed.tokens);
  const apiKeys = [];
  for (let i = 0; i < n; i++) apiKeys.push((await single.keys.create({ label: `k${i}`, scopes: ['campaigns:read'] })).key);

  const keyObject = createSecretKey(Buffer.from(SECRET));
  const libOptions = { algorithms: ['HS256'], clockTolerance: TOLERANCE_SEC };
  let sink = 0;
  const viaVerifier = (verifier, credentials) => async () => {
    for (const c of credentials) {
      const r = await verifier.verify(c);
      if (!r.ok) throw new Error(`a valid credential was refused (${r.failure})`);
    }
  };
  const run = {
    jwtLib: async () => {
      for (const t of jwts) sink += jsonwebtoken.verify(t, keyObject, libOptions).exp;
    },
    jwt: viaVerifier(single.verifier, jwts),
    jwtKids: viaVerifier(listed.verifier, kidJwts),
    keyFloor: async () => {
      for (const k of apiKeys) sink += hash('sha256', k, 'hex').length;
    },
    key: viaVerifier(single.verifier, apiKeys),
  };

  const nsPerOp = Object.fromEntries(VARIANTS.map((v) => [v.id, []]));
  for (let round = -1; round < rounds; round++) {
    // Rotate the order each round; round -1 warms every variant up and is not counted.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + Math.max(round, 0)) % VARIANTS.length]);
    for (const v of order) {
      const t0 = process.hrtime.bigint();
      await run[v.id]();
      const ns = Number(process.hrtime.bigint() - t0) / n;
      if (round >= 0) nsPerOp[v.id].push(ns);
    }
  }
  if (sink === 0) throw new Error('nothing was verified');
  await single.app.close();
  await listed.app.close();
  return nsPerOp;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === 'child') {
  try {
    process.send({ nsPerOp: await child(Number(process.argv[3]), Number(process.argv[4])) });
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) });
  }
}
