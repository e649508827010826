import { tokenStoreKey } from '../../lib/client/token-manager.js';
import type { StoredToken } from '../../lib/client/token-store.interface.js';
import type { FakeAccount } from './account-providers.js';

/** Reads one stored token by its store key (an InMemoryTokenStore, or the `t` field of a Redis hash). */
export type StoredTokenReader = (key: string) => Promise<StoredToken | undefined>;

/**
 * How long after an account's stored renewal point to call it again. The call must find the token
 * due (after `refreshAt`) and, for Convertly, alive enough to be refreshed (before `expiresAt` less
 * a quarter of the renewal window): with a 30 s lifetime that leaves over 4 s for a busy machine,
 * however long the first round took.
 */
const AFTER_RENEWAL_POINT_MS = 100;

/**
 * When (epoch ms) to call each email's account again on `provider`, read from the store: just after
 * the renewal point of the token it holds. Fails if an account has no stored token, so a changed
 * key scheme cannot turn the test into one that calls at arbitrary times.
 */
export async function renewalTimes(read: StoredTokenReader, provider: string, baseUrl: string, emails: readonly string[]): Promise<number[]> {
  return Promise.all(
    emails.map(async (email) => {
      const token = await read(tokenStoreKey(provider, baseUrl, email));
      if (!token) throw new Error(`no stored ${provider} token for ${email}`);
      return token.refreshAt + AFTER_RENEWAL_POINT_MS;
    }),
  );
}

/**
 * When to call each account again on each provider, as the accounts tests use them (on Affilync the
 * accounts `logsIn` picks log in and the others use API keys, with no token; on Convertly every
 * account logs in): `[affilyncAt, convertlyAt]` per account, `undefined` where no token is kept.
 */
export async function accountRenewalTimes(
  read: StoredTokenReader,
  accounts: readonly FakeAccount[],
  baseUrls: { affilync: string; convertly: string },
  logsIn: (i: number) => boolean,
): Promise<[number | undefined, number][]> {
  const byLogin = accounts.filter((_, i) => logsIn(i)).map((a) => a.email);
  const affilyncAt = await renewalTimes(read, 'affilync', baseUrls.affilync, byLogin);
  const convertlyAt = await renewalTimes(
    read,
    'convertly',
    baseUrls.convertly,
    accounts.map((a) => a.email),
  );
  let next = 0;
  return accounts.map((_, i) => [logsIn(i) ? affilyncAt[next++] : undefined, convertlyAt[i]]);
}
