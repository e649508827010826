/**
 * What a user tests without a tunnel: their app's @AffilyncWebhook() route, registered with the
 * emulator through the typed client, receives the emulator's signed deliveries typed, handles each
 * event once (a duplicated delivery included), and is retried by the emulator after a failure.
 */
import type { AddressInfo } from 'node:net';
import type { AffilyncClient, ClickId } from '../../lib/index.js';
import { ProviderEmulator } from '../../lib/testing/index.js';
import { startClients, type Clients } from '../support/nest-clients.js';
import { secretAudit } from '../support/secret-audit.js';
import { startWebhookApp, type Adapter, type WebhookApp } from './webhook-app.js';

const SECRET = 'whsec_emulator_to_app_suite_0000001';
secretAudit.registerSecret(SECRET);

describe.each<Adapter>(['express', 'fastify'])('the emulator delivering to an @AffilyncWebhook() route on %s', (adapter) => {
  let emulator: ProviderEmulator;
  let clients: Clients;
  let affilync: AffilyncClient;
  let hooks: WebhookApp;

  beforeAll(async () => {
    emulator = await ProviderEmulator.start({ webhookRetryDelaysMs: [100, 200] });
    clients = await startClients(emulator.clientOptions());
    affilync = clients.affilync;
    hooks = await startWebhookApp(adapter, { webhookSecret: SECRET });
    await hooks.app.listen(0, '127.0.0.1');
    const { port } = hooks.app.getHttpServer().address() as AddressInfo;
    await affilync.webhooks.create({
      url: `http://127.0.0.1:${port}/webhooks/affilync`,
      events: ['conversion.created', 'conversion.approved', 'call.completed'],
      secret: SECRET,
    });
  });
  afterAll(async () => {
    await hooks?.close();
    await clients?.close();
    await emulator?.close();
  });
  beforeEach(() => {
    hooks.journal.runs.length = 0;
  });

  it('a tracked conversion arrives as a typed conversion.created, handled by the route and its handlers', async () => {
    const click = emulator.state.affilync.clicks[0].id as ClickId;
    const conversion = await affilync.conversions.track({ click_id: click, order_id: `ORD-${adapter}-1`, amount: '149.99' });
    await emulator.flushDeliveries();
    const [delivery] = emulator.deliveries.filter((d) => d.event === 'conversion.created');
    expect(delivery).toMatchObject({ attempt: 1, status: 200 });
    expect(hooks.journal.runs.map((r) => [r.by, r.id, r.event, r.known])).toEqual([
      ['route', delivery.id, 'conversion.created', true],
      ['conversion.created handler', delivery.id, 'conversion.created', true],
      ['conversion.* handler', delivery.id, 'conversion.created', true],
    ]);
    expect(conversion.id).toMatch(/^conv_/);
  });

  it('a duplicated delivery (same id, same bytes, at once) is handled once', async () => {
    const { id } = await emulator.emitAffilyncEvent('conversion.approved', { conversion_id: 'conv_001' }, { duplicate: true });
    await emulator.flushDeliveries();
    const attempts = emulator.deliveries.filter((d) => d.id === id);
    expect(attempts).toHaveLength(2);
    // One handled it (200); the other arrived while it ran (409, retried by the emulator: then 200 duplicate) or after it (200).
    expect(attempts.every((a) => a.status === 200 || a.status === 409)).toBe(true);
    expect(hooks.journal.runs.filter((r) => r.id === id && r.by === 'route')).toHaveLength(1);
    expect(hooks.journal.runs.filter((r) => r.id === id && r.by === 'conversion.* handler')).toHaveLength(1);
  });

  it('a handling that fails is retried by the emulator and then handled once', async () => {
    hooks.journal.failNext.push('call.completed handler');
    const { id } = await emulator.emitAffilyncEvent('call.completed', { call_id: 'call_001', duration: 95, outcome: 'qualified' });
    await emulator.flushDeliveries();
    expect(emulator.deliveries.filter((d) => d.id === id).map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect(hooks.journal.runs.filter((r) => r.id === id).map((r) => r.by)).toEqual(['route', 'route', 'call.completed handler']);
  });

  it('an event name the docs do not list arrives as an unknown event', async () => {
    const { id } = await emulator.emitAffilyncEvent('payout.failed', { payout_id: 'pay_1' });
    await emulator.flushDeliveries();
    expect(hooks.journal.runs.filter((r) => r.id === id)).toEqual([{ by: 'route', id, event: 'payout.failed', known: false }]);
  });
});
