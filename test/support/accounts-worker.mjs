// One replica of a user's app serving many accounts through forAccount(), as a separate Node
// process: the BUILT package (Jest cannot run TypeScript in child processes), tokens and budgets in
// a shared Redis. Driven over IPC: { cmd: 'round', accounts, at? } calls GET /whoami as every
// account on both providers (when `at` is given, account i's Affilync call at `at[i][0]` and its
// Convertly call at `at[i][1]`, epoch ms, or at once where null; else in batches of 50 at once)
// and reports who the providers said each call came from.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const { DIST, REDIS_URL, AFFILYNC_URL, CONVERTLY_URL } = process.env;
const lib = await import(`${DIST}/index.js`);
const { RedisTokenStore, RedisRateLimitStore } = await import(`${DIST}/redis/index.js`);

class AccountsModule {}
Module({
  imports: [
    lib.ProviderAuthModule.forRoot({
      // No default accounts: every call goes through forAccount().
      affilync: { baseUrl: AFFILYNC_URL },
      convertly: { baseUrl: CONVERTLY_URL },
      tokenStore: new RedisTokenStore({ url: REDIS_URL }),
      rateLimitStore: new RedisRateLimitStore({ url: REDIS_URL }),
      http: { timeoutMs: 10_000 },
    }),
  ],
})(AccountsModule);

const app = await NestFactory.createApplicationContext(AccountsModule, { logger: false });
const affilync = app.get(lib.AffilyncClient);
const convertly = app.get(lib.ConvertlyClient);
const sleepUntil = (at) => (at == null ? Promise.resolve() : new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()))));

/** Affilync: even accounts by API key, odd ones by login; Convertly: every one by login. */
async function callAs(account, i, [affilyncAt, convertlyAt] = []) {
  const login = { email: account.email, password: account.password };
  const calls = [
    sleepUntil(affilyncAt).then(() => affilync.forAccount(i % 2 === 0 ? { apiKey: account.apiKey } : login).get('/whoami')),
    sleepUntil(convertlyAt).then(() => convertly.forAccount(login).get('/whoami')),
  ];
  const settled = await Promise.allSettled(calls);
  // Class and message only: our errors never carry a secret, and nothing else is sent.
  const why = (e) => `${e?.constructor?.name}: ${e?.message}${e?.cause ? ` (${why(e.cause)})` : ''}`;
  return settled.map((s) => (s.status === 'fulfilled' ? s.value.account : why(s.reason)));
}

process.on('message', async (msg) => {
  if (msg.cmd === 'round') {
    const seen = new Array(msg.accounts.length);
    const one = async (i) => {
      seen[i] = await callAs(msg.accounts[i], i, msg.at?.[i]);
    };
    if (msg.at) await Promise.all(msg.accounts.map((_, i) => one(i)));
    else {
      for (let from = 0; from < msg.accounts.length; from += 50) {
        await Promise.all(msg.accounts.slice(from, from + 50).map((_, k) => one(from + k)));
      }
    }
    process.send({ id: msg.id, seen });
  } else if (msg.cmd === 'exit') {
    await app.close();
    process.exit(0);
  }
});
process.send({ ready: true, pid: process.pid });
