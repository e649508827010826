import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegisteredWebhook } from './emulator-state.js';
import { checkRetryDelays, DEFAULT_WEBHOOK_RETRY_DELAYS_MS, WebhookDeliveries } from './webhook-deliveries.js';

/** What ProviderEmulator.start does not expose: the timeout, the redirect rule, the schedule's checks. */

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, paths };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const webhook = (url: string): RegisteredWebhook => ({
  id: 'wh_1',
  url,
  events: ['payout.completed'],
  status: 'active',
  created_at: '2026-03-21T15:00:00Z',
  secret: 'whsec_unit_test_secret',
});

describe('WebhookDeliveries', () => {
  it('an attempt with no answer within the timeout has failed (status 0) and is retried', async () => {
    let n = 0;
    const { server, url } = await listen((_, res) => {
      if (++n > 1) res.end('ok'); // the first request is never answered
    });
    const deliveries = new WebhookDeliveries(() => [webhook(url)], { retryDelaysMs: [20], timeoutMs: 500 });
    try {
      const t0 = Date.now();
      await deliveries.emit('payout.completed', {});
      expect(Date.now() - t0).toBeGreaterThanOrEqual(495);
      await deliveries.flush();
      expect(deliveries.record.map((d) => [d.attempt, d.status])).toEqual([
        [1, 0],
        [2, 200],
      ]);
    } finally {
      await deliveries.close();
      await stop(server);
    }
  });

  it('a redirect is a failed attempt, not followed', async () => {
    let n = 0;
    const { server, url, paths } = await listen((_, res) => {
      if (++n === 1) res.writeHead(302, { location: '/elsewhere' }).end();
      else res.end('ok');
    });
    const deliveries = new WebhookDeliveries(() => [webhook(url)], { retryDelaysMs: [10] });
    try {
      await deliveries.emit('payout.completed', {});
      await deliveries.flush();
      expect(deliveries.record.map((d) => [d.attempt, d.status])).toEqual([
        [1, 302],
        [2, 200],
      ]);
      expect(paths).toEqual(['/hooks', '/hooks']);
    } finally {
      await deliveries.close();
      await stop(server);
    }
  });

  it('the default schedule is 1 min, 5 min, 30 min, 2 h, 5 h; a given one is checked and copied', () => {
    expect(checkRetryDelays(undefined)).toBe(DEFAULT_WEBHOOK_RETRY_DELAYS_MS);
    expect(DEFAULT_WEBHOOK_RETRY_DELAYS_MS).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 18_000_000]);
    expect(Object.isFrozen(DEFAULT_WEBHOOK_RETRY_DELAYS_MS)).toBe(true);
    const given = [0, 25];
    const checked = checkRetryDelays(given);
    given.push(50);
    expect(checked).toEqual([0, 25]);
    expect(checkRetryDelays([])).toEqual([]);
    expect(checkRetryDelays(Array.from({ length: 20 }, () => 1))).toHaveLength(20);
    expect(() => checkRetryDelays(Array.from({ length: 21 }, () => 1))).toThrow(RangeError);
    expect(() => checkRetryDelays([1, -0.5])).toThrow(/webhookRetryDelaysMs\[1\]/);
  });
});
