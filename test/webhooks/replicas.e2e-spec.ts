/**
 * Two replicas of one app (one Express, one Fastify) sharing a RedisEventIdStore on a real
 * redis-server receive the same signed events, concurrently and repeatedly, and after a failed
 * handling: each event is handled exactly once per successful handling, never twice, and never
 * zero times after a retry.
 */
import { RedisEventIdStore } from '../../lib/redis/index.js';
import { RedisServer } from '../support/redis-server.js';
import { secretAudit } from '../support/secret-audit.js';
import { eventBody, newJournal, startWebhookApp, type WebhookApp } from './webhook-app.js';

const SECRET = 'whsec_replica_suite_secret_000000001';
secretAudit.registerSecret(SECRET);

describe('two replicas sharing a RedisEventIdStore', () => {
  let redis: RedisServer;
  let replicas: WebhookApp[];
  // One journal for both: what ran, on whichever replica.
  const journal = newJournal();

  beforeAll(async () => {
    redis = await RedisServer.start();
    replicas = [
      await startWebhookApp('express', { webhookSecret: SECRET, eventIdStore: new RedisEventIdStore({ url: redis.url }) }, {}, journal),
      await startWebhookApp('fastify', { webhookSecret: SECRET, eventIdStore: new RedisEventIdStore({ url: redis.url }) }, {}, journal),
    ];
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.close();
    await redis?.stop();
  });
  beforeEach(() => {
    journal.runs.length = 0;
    journal.failNext.length = 0;
    journal.gate = undefined;
  });

  const routeRuns = (id: string) => journal.runs.filter((r) => r.id === id && r.by === 'route').length;
  const handlerRuns = (id: string) => journal.runs.filter((r) => r.id === id && r.by !== 'route').length;

  it('the same event sent to both replicas 20 times at once, for 10 events: each handled exactly once', async () => {
    const events = Array.from({ length: 10 }, () => eventBody());
    const answers = await Promise.all(events.flatMap(({ body }) => Array.from({ length: 20 }, (_, i) => replicas[i % 2].deliver(body))));
    expect(answers.every((a) => [200, 409].includes(a.status))).toBe(true);
    for (const { id } of events) {
      expect(routeRuns(id)).toBe(1);
      expect(handlerRuns(id)).toBe(2);
    }
    // The provider's retries of the 409s are answered as duplicates on either replica.
    for (const { body } of events) {
      for (const r of replicas) expect((await r.deliver(body)).body).toEqual({ received: true, duplicate: true });
    }
    expect(journal.runs).toHaveLength(30);
  });

  it('a handling held open on one replica: the other answers 409; once done, both answer duplicate', async () => {
    const { id, body } = eventBody();
    let open!: () => void;
    journal.gate = new Promise<void>((resolve) => (open = resolve));
    const first = replicas[0].deliver(body);
    // Wait until the first holds the claim (its route is waiting at the gate).
    await waitFor(async () => (await replicas[1].deliver(body)).status === 409);
    open();
    expect((await first).status).toBe(200);
    expect((await replicas[1].deliver(body)).body).toEqual({ received: true, duplicate: true });
    expect(routeRuns(id)).toBe(1);
  });

  it('a handling that fails on one replica is run by the retry on the other, once', async () => {
    const { id, body } = eventBody();
    journal.failNext.push('conversion.* handler');
    expect((await replicas[0].deliver(body)).status).toBe(500);
    // The failed attempt ran the route and the first handler; nothing counts until one succeeds.
    expect(routeRuns(id)).toBe(1);
    const retries = await Promise.all([replicas[1].deliver(body), replicas[1].deliver(body), replicas[0].deliver(body)]);
    expect(retries.filter((r) => r.status === 200 && JSON.stringify(r.body) === '{"ok":true}')).toHaveLength(1);
    // One successful handling after the failure: the route twice in all (failed + retried), each handler once more.
    expect(routeRuns(id)).toBe(2);
    expect(journal.runs.filter((r) => r.id === id && r.by === 'conversion.* handler')).toHaveLength(1);
    for (const r of replicas) expect((await r.deliver(body)).body).toEqual({ received: true, duplicate: true });
  });

  it('unsigned, re-signed and non-envelope bodies reach no handler on either replica', async () => {
    const { body } = eventBody();
    const other = 'whsec_not_the_registered_secret_0000';
    for (const r of replicas) {
      expect((await r.deliver(body, { signature: null })).status).toBe(401);
      expect((await r.deliver(body.replace('25.00', '99.00'), { secret: other })).status).toBe(401);
      expect((await r.deliver(JSON.stringify({ hello: 'world' }))).status).toBe(400);
    }
    expect(journal.runs).toEqual([]);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
