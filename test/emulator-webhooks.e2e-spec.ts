import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AffilyncWebhookEventName, ClickId } from '../lib/index.js';
import { ProviderEmulator, type EmulatedDelivery } from '../lib/testing/index.js';
import { sleep, startClients, type Clients } from './support/nest-clients.js';
import { WebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver.js';

/**
 * The emulated Affilync delivers webhooks as its docs describe them (PROVIDERS.md §1.7), to a real
 * HTTP server on loopback: a signed `{ id, event, created_at, data }` POST per subscribed event,
 * retried on the configured schedule. Signatures are checked here with node:crypto, from the docs,
 * not with the library's guard.
 */

/** The schedule of the shared emulator: three retries, so that stopping at the first 2xx shows. */
const RETRIES = [50, 100, 150];
/** Node's timers may fire up to a millisecond early (they are kept in whole milliseconds). */
const TIMER_SLACK_MS = 2;

const EVT_ID = /^evt_[0-9a-f]{24}$/;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** `sha256=` + lowercase hex HMAC-SHA256 of the raw body, keyed with the secret as given; compared in constant time. */
function signedWith(r: ReceivedWebhook, secret: string): boolean {
  const header = r.headers['x-affilync-signature'];
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  return header.length === expected.length && timingSafeEqual(Buffer.from(header), expected);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the envelope as sent, read field by field
const envelopeOf = (r: ReceivedWebhook): any => JSON.parse(r.body.toString('utf8'));
const newSecret = () => `whsec_${randomBytes(16).toString('hex')}`;
let orders = 0;
const nextOrder = () => `ORD-WH-${process.pid}-${++orders}`;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Milliseconds between consecutive `at`s. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

async function registerWebhook(app: Clients, url: string, events: AffilyncWebhookEventName[]): Promise<{ id: string; secret: string }> {
  const secret = newSecret();
  const webhook = await app.affilync.webhooks.create({ url, events, secret });
  return { id: webhook.id, secret };
}

describe('emulator webhooks', () => {
  let emulator: ProviderEmulator;
  let app: Clients;
  let receiver: WebhookReceiver;

  const register = (path: string, events: AffilyncWebhookEventName[]) => registerWebhook(app, receiver.url(path), events);
  const clickId = () => emulator.state.affilync.clicks[0].id as ClickId;
  const delivery = (fields: Partial<EmulatedDelivery>) => ({ at: expect.stringMatching(ISO_MS), ...fields });

  beforeAll(async () => {
    emulator = await ProviderEmulator.start({ webhookRetryDelaysMs: RETRIES });
    app = await startClients({ ...emulator.clientOptions(), http: { timeoutMs: 5_000 } });
  });
  afterAll(async () => {
    await app?.close();
    await emulator?.close();
  });
  beforeEach(async () => {
    emulator.reset();
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    emulator.reset(); // calls off whatever a failed test left scheduled
    await receiver.close();
  });

  it('a webhook registered through the typed client gets a signed conversion.created after conversions.track', async () => {
    const { secret } = await register('/hooks', ['conversion.created']);
    const tracked = await app.affilync.conversions.track({ click_id: clickId(), order_id: nextOrder(), amount: '149.99' });
    const [got] = await receiver.waitFor(1);
    const conversion = emulator.state.affilync.conversions.at(-1)!;
    expect(conversion.id).toBe(tracked.id);

    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hooks');
    expect(got.headers['content-type']).toBe('application/json');
    expect(signedWith(got, secret)).toBe(true);
    expect(signedWith(got, `${secret}x`)).toBe(false);
    expect(envelopeOf(got)).toEqual({
      id: expect.stringMatching(EVT_ID),
      event: 'conversion.created',
      created_at: expect.stringMatching(ISO_SECONDS),
      data: {
        conversion_id: conversion.id,
        campaign_id: conversion.campaign_id,
        affiliate_id: conversion.affiliate_id,
        type: 'sale',
        commission: conversion.commission,
        order_value: '149.99',
      },
    });
    expect(envelopeOf(got).data.commission).toMatch(/^\d+\.\d{2}$/);

    await emulator.flushDeliveries();
    expect(emulator.deliveries).toEqual([
      delivery({ id: envelopeOf(got).id, event: 'conversion.created', url: receiver.url('/hooks'), attempt: 1, status: 200 }),
    ]);
    expect(Object.isFrozen(emulator.deliveries)).toBe(true);
    expect(Object.isFrozen(emulator.deliveries[0])).toBe(true);
  });

  it('the postback fires conversion.created too, and neither a slow nor a dead receiver holds up the answer', async () => {
    const { secret } = await register('/slow', ['conversion.created']);
    const down = await WebhookReceiver.start();
    const deadUrl = down.url('/dead');
    await down.close();
    await registerWebhook(app, deadUrl, ['conversion.created']);
    const release = deferred();
    receiver.setAnswer(() => release.promise.then(() => 200));

    const answer = await app.affilync.get<{ data: { id: string } }>('/conversions/postback', {
      query: { click_id: clickId(), amount: '20', order_id: nextOrder(), currency: 'EUR' },
    });
    // The 200 came back while the slow receiver still holds its delivery unanswered.
    const [got] = await receiver.waitFor(1);
    expect(emulator.deliveries.filter((d) => d.url === receiver.url('/slow'))).toEqual([]);
    release.resolve();

    expect(signedWith(got, secret)).toBe(true);
    expect(envelopeOf(got).data).toEqual(expect.objectContaining({ conversion_id: answer.data.id, type: 'sale', order_value: '20.00' }));
    await emulator.flushDeliveries();
    const statuses = (url: string) => emulator.deliveries.filter((d) => d.url === url).map((d) => d.status);
    expect(statuses(receiver.url('/slow'))).toEqual([200]);
    expect(statuses(deadUrl)).toEqual([0, 0, 0, 0]);
  });

  it('only the events a webhook subscribed to reach it; a documented event nobody subscribed to goes nowhere', async () => {
    await register('/calls', ['call.completed']);
    await register('/conversions', ['conversion.created', 'conversion.approved']);
    await app.affilync.conversions.track({ click_id: clickId(), order_id: nextOrder(), amount: '10.00' });
    const call = await emulator.emitAffilyncEvent('call.completed', { call_id: 'call_001', duration: 42, outcome: 'qualified' });
    await emulator.emitAffilyncEvent('conversion.approved', { conversion_id: 'conv_001' });
    const payout = await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_1', amount: '120.00' });
    await emulator.flushDeliveries();

    expect(payout.id).toMatch(EVT_ID);
    expect(receiver.on('/calls').map((r) => envelopeOf(r).event)).toEqual(['call.completed']);
    expect(
      receiver
        .on('/conversions')
        .map((r) => envelopeOf(r).event)
        .sort(),
    ).toEqual(['conversion.approved', 'conversion.created']);
    expect(receiver.received).toHaveLength(3);
    expect(envelopeOf(receiver.on('/calls')[0])).toEqual({
      id: call.id,
      event: 'call.completed',
      created_at: expect.stringMatching(ISO_SECONDS),
      data: { call_id: 'call_001', duration: 42, outcome: 'qualified' },
    });
    expect(emulator.deliveries.map((d) => d.event).sort()).toEqual(['call.completed', 'conversion.approved', 'conversion.created']);
  });

  it('two webhooks get the same bytes, each signed with its own secret', async () => {
    const a = await register('/a', ['payout.completed']);
    const b = await register('/b', ['payout.completed']);
    const { id } = await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_2', amount: '120.00' });
    const [ra] = receiver.on('/a');
    const [rb] = receiver.on('/b');

    expect(ra.body.equals(rb.body)).toBe(true);
    expect(envelopeOf(ra).id).toBe(id);
    expect(ra.headers['x-affilync-signature']).not.toBe(rb.headers['x-affilync-signature']);
    expect([signedWith(ra, a.secret), signedWith(rb, b.secret)]).toEqual([true, true]);
    expect([signedWith(ra, b.secret), signedWith(rb, a.secret)]).toEqual([false, false]);
  });

  it('an event name the docs do not list goes to every registered webhook', async () => {
    await register('/a', ['click.created']);
    await register('/b', ['conversion.created']);
    const { id } = await emulator.emitAffilyncEvent('payout.failed', { payout_id: 'po_3', reason: 'bank_rejected' });

    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/b']);
    for (const r of receiver.received) {
      expect(envelopeOf(r)).toEqual({
        id,
        event: 'payout.failed',
        created_at: expect.stringMatching(ISO_SECONDS),
        data: { payout_id: 'po_3', reason: 'bank_rejected' },
      });
    }
    expect(emulator.deliveries.map((d) => [d.event, d.status])).toEqual([
      ['payout.failed', 200],
      ['payout.failed', 200],
    ]);
  });

  it('duplicate: the same event (same id, same bytes) twice, concurrently', async () => {
    const { secret } = await register('/hooks', ['conversion.approved']);
    const release = deferred();
    receiver.setAnswer(() => release.promise.then(() => 200));
    const emitted = emulator.emitAffilyncEvent('conversion.approved', { conversion_id: 'conv_001' }, { duplicate: true });
    // Both arrive before either is answered: they were sent concurrently.
    const [first, second] = await receiver.waitFor(2);
    release.resolve();
    const { id } = await emitted;

    expect(first.body.equals(second.body)).toBe(true);
    expect(first.headers['x-affilync-signature']).toBe(second.headers['x-affilync-signature']);
    expect(signedWith(first, secret)).toBe(true);
    expect(envelopeOf(first).id).toBe(id);
    await emulator.flushDeliveries();
    expect(receiver.received).toHaveLength(2);
    const url = receiver.url('/hooks');
    expect(emulator.deliveries).toEqual([
      delivery({ id, event: 'conversion.approved', url, attempt: 1, status: 200 }),
      delivery({ id, event: 'conversion.approved', url, attempt: 1, status: 200 }),
    ]);
  });

  it('event ids are evt_ and 24 random hex characters, a new one per event', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => emulator.emitAffilyncEvent('campaign.updated', {}).then((e) => e.id)));
    for (const id of ids) expect(id).toMatch(EVT_ID);
    expect(new Set(ids).size).toBe(ids.length);
    // Not a counter: consecutive ids share no long common prefix.
    expect(ids[1].slice(0, 16)).not.toBe(ids[0].slice(0, 16));
  });

  it('delay: the first attempt waits that long; the promise resolves once it is answered', async () => {
    await register('/hooks', ['campaign.updated']);
    const t0 = Date.now();
    const emitted = emulator.emitAffilyncEvent('campaign.updated', { campaign_id: 'camp_001' }, { delay: 150 });
    let settled = false;
    void emitted.then(() => (settled = true));
    await sleep(60);
    expect(receiver.received).toHaveLength(0);
    expect(settled).toBe(false);
    await emitted;

    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0].at - t0).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS);
    expect(Date.parse(emulator.deliveries[0].at) - t0).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS);
  });

  it('500: retried on the configured schedule with the same bytes, and not after the first 2xx', async () => {
    const { secret } = await register('/hooks', ['payout.completed']);
    const statuses = [500, 503, 204];
    receiver.setAnswer(() => statuses[receiver.received.length - 1] ?? 200);
    const { id } = await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_4' });
    expect(receiver.received).toHaveLength(1); // resolved after the first attempt; the retries follow
    await emulator.flushDeliveries();

    const got = receiver.received;
    expect(got).toHaveLength(3); // the schedule allows a fourth
    for (const r of got) {
      expect(r.body.equals(got[0].body)).toBe(true);
      expect(signedWith(r, secret)).toBe(true);
    }
    const url = receiver.url('/hooks');
    expect(emulator.deliveries).toEqual([
      delivery({ id, event: 'payout.completed', url, attempt: 1, status: 500 }),
      delivery({ id, event: 'payout.completed', url, attempt: 2, status: 503 }),
      delivery({ id, event: 'payout.completed', url, attempt: 3, status: 204 }),
    ]);
    const waited = gaps(emulator.deliveries.map((d) => Date.parse(d.at)));
    expect(waited[0]).toBeGreaterThanOrEqual(RETRIES[0] - TIMER_SLACK_MS);
    expect(waited[1]).toBeGreaterThanOrEqual(RETRIES[1] - TIMER_SLACK_MS);
    expect(Math.max(...waited)).toBeLessThan(2_000);
  });

  it('a receiver that keeps failing gets every retry of the schedule, then is given up', async () => {
    await register('/hooks', ['payout.completed']);
    receiver.setAnswer(() => 500);
    await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_5' });
    await emulator.flushDeliveries();

    expect(receiver.received).toHaveLength(RETRIES.length + 1);
    expect(emulator.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
    ]);
    const waited = gaps(receiver.received.map((r) => r.at));
    waited.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual(RETRIES[i] - TIMER_SLACK_MS));
  });

  it('a closed port: status 0, retried on the schedule, delivered once the receiver is back', async () => {
    const down = await WebhookReceiver.start();
    const port = down.port;
    await down.close();
    const { secret } = await registerWebhook(app, `http://127.0.0.1:${port}/hooks`, ['payout.completed']);
    const { id } = await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_6' });
    expect(emulator.deliveries).toEqual([delivery({ id, event: 'payout.completed', url: `http://127.0.0.1:${port}/hooks`, attempt: 1, status: 0 })]);

    const back = await WebhookReceiver.start(() => 200, port); // well within the first 50 ms delay
    try {
      await emulator.flushDeliveries();
      expect(back.received).toHaveLength(1);
      expect(signedWith(back.received[0], secret)).toBe(true);
      expect(envelopeOf(back.received[0]).id).toBe(id);
      expect(emulator.deliveries.map((d) => [d.attempt, d.status])).toEqual([
        [1, 0],
        [2, 200],
      ]);
      expect(back.received[0].at - Date.parse(emulator.deliveries[0].at)).toBeGreaterThanOrEqual(RETRIES[0] - TIMER_SLACK_MS);
    } finally {
      await back.close();
    }
  });

  it('reset() empties deliveries and calls off scheduled retries, delays and attempts in flight', async () => {
    await register('/failing', ['payout.completed']);
    receiver.setAnswer((r) => (r.path === '/hang' ? 'hang' : 500));
    await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_7' });
    expect(emulator.deliveries).toHaveLength(1);
    await register('/hang', ['campaign.updated']);
    await register('/later', ['click.created']);
    const later = emulator.emitAffilyncEvent('click.created', { click_id: 'clk_001' }, { delay: 100 });
    const hanging = emulator.emitAffilyncEvent('campaign.updated', {});
    await receiver.waitFor(1, '/hang');

    emulator.reset();
    expect(emulator.deliveries).toEqual([]);
    expect(emulator.state.affilync.webhooks).toEqual([]);
    await emulator.flushDeliveries(); // nothing left: resolves without any retry being made
    await expect(later).resolves.toEqual({ id: expect.stringMatching(EVT_ID) });
    await expect(hanging).resolves.toEqual({ id: expect.stringMatching(EVT_ID) });
    await sleep(RETRIES.reduce((a, b) => a + b, 0) + 100); // longer than the whole schedule
    expect(receiver.on('/failing')).toHaveLength(1);
    expect(receiver.on('/later')).toHaveLength(0);
    expect(emulator.deliveries).toEqual([]);
  });

  it('stays quiet with many deliveries waiting at once (no listener-leak warning on stderr)', async () => {
    // Node prints its warnings through the process's own stderr stream (Jest's sandbox has its own `process` events).
    const printed: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return (write as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
    }) as typeof write;
    try {
      for (let i = 0; i < 12; i++) await register(`/hooks/${i}`, ['payout.completed']);
      receiver.setAnswer(() => 500);
      await Promise.all([
        emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_12' }),
        emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_13' }, { delay: 20, duplicate: true }),
      ]);
      await emulator.flushDeliveries();
      await sleep(10); // warnings are printed on a later tick
      expect(receiver.received).toHaveLength(3 * 12 * (RETRIES.length + 1));
      expect(printed.filter((line) => /Warning/.test(line))).toEqual([]);
    } finally {
      process.stderr.write = write;
    }
  });

  it('refuses bad arguments (and sends nothing)', async () => {
    await register('/hooks', ['payout.completed']);
    const emit = (...args: unknown[]) => (emulator.emitAffilyncEvent as (...a: unknown[]) => Promise<unknown>)(...args);
    const circular: Record<string, unknown> = {};
    circular.self = circular;

    await expect(emit(42, {})).rejects.toThrow(TypeError);
    await expect(emit(undefined, {})).rejects.toThrow(TypeError);
    await expect(emit('', {})).rejects.toThrow(RangeError);
    for (const data of [undefined, null, [], 'x', 1, new Date(), new Map()]) {
      await expect(emit('payout.completed', data)).rejects.toThrow(TypeError);
    }
    await expect(emit('payout.completed', circular)).rejects.toThrow(TypeError);
    await expect(emit('payout.completed', {}, 'soon')).rejects.toThrow(TypeError);
    await expect(emit('payout.completed', {}, { duplicate: 'yes' })).rejects.toThrow(TypeError);
    await expect(emit('payout.completed', {}, { delay: '5' })).rejects.toThrow(TypeError);
    for (const delay of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(emit('payout.completed', {}, { delay })).rejects.toThrow(RangeError);
    }
    await emulator.flushDeliveries();
    expect(receiver.received).toHaveLength(0);
    expect(emulator.deliveries).toEqual([]);
  });

  it('ProviderEmulator.start refuses a bad webhookRetryDelaysMs', async () => {
    const start = (webhookRetryDelaysMs: unknown) => ProviderEmulator.start({ webhookRetryDelaysMs: webhookRetryDelaysMs as number[] });
    await expect(start('60000')).rejects.toThrow(TypeError);
    await expect(start([50, '100'])).rejects.toThrow(TypeError);
    for (const bad of [[-1], [Number.NaN], [Number.POSITIVE_INFINITY], Array.from({ length: 21 }, () => 1)]) {
      await expect(start(bad)).rejects.toThrow(RangeError);
    }
  });
});

describe('emulator webhooks: the default schedule, an empty one, and close()', () => {
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start(() => 500);
  });
  afterEach(() => receiver.close());

  async function emulatorWithWebhook(options: { webhookRetryDelaysMs?: number[] }, paths: string[]) {
    const emulator = await ProviderEmulator.start(options);
    const app = await startClients({ ...emulator.clientOptions(), http: { timeoutMs: 5_000 } });
    for (const path of paths) await registerWebhook(app, receiver.url(path), ['payout.completed']);
    await app.close();
    return emulator;
  }

  it('by default a failed delivery is retried later (not at once); close() cancels that retry and nothing arrives after it', async () => {
    const emulator = await emulatorWithWebhook({}, ['/hooks']);
    try {
      await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_8' });
      let flushed = false;
      const flushing = emulator.flushDeliveries().then(() => (flushed = true));
      await sleep(150);
      expect(flushed).toBe(false); // a retry is scheduled, a minute away
      expect(receiver.received).toHaveLength(1);

      await emulator.close();
      await flushing; // the scheduled retry is gone
      await sleep(150);
      expect(receiver.received).toHaveLength(1);
      expect(emulator.deliveries.map((d) => [d.attempt, d.status])).toEqual([[1, 500]]);
      await expect(emulator.emitAffilyncEvent('payout.completed', {})).rejects.toThrow(/closed/);
    } finally {
      await emulator.close();
    }
  });

  it('reset() calls off a retry a minute away: flushDeliveries resolves at once', async () => {
    const emulator = await emulatorWithWebhook({}, ['/hooks']);
    try {
      await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_11' });
      const flushing = emulator.flushDeliveries();
      emulator.reset();
      const t0 = Date.now();
      await flushing;
      expect(Date.now() - t0).toBeLessThan(1_000);
      expect(emulator.deliveries).toEqual([]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });

  it('webhookRetryDelaysMs: [] never retries', async () => {
    const emulator = await emulatorWithWebhook({ webhookRetryDelaysMs: [] }, ['/hooks']);
    try {
      await emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_9' });
      await emulator.flushDeliveries();
      expect(emulator.deliveries.map((d) => [d.attempt, d.status])).toEqual([[1, 500]]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await emulator.close();
    }
  });

  it('close() waits for attempts in flight, and cuts off one that never gets an answer', async () => {
    const emulator = await emulatorWithWebhook({ webhookRetryDelaysMs: [10] }, ['/slow', '/hang']);
    const release = deferred();
    receiver.setAnswer((r) => (r.path === '/hang' ? 'hang' : release.promise.then(() => 200)));
    const emitted = emulator.emitAffilyncEvent('payout.completed', { payout_id: 'po_10' });
    await receiver.waitFor(2);

    let closed = false;
    const closing = emulator.close().then(() => (closed = true));
    await sleep(100);
    expect(closed).toBe(false);
    release.resolve();
    const t0 = Date.now();
    await closing;
    expect(Date.now() - t0).toBeLessThan(3_000);
    await expect(emitted).resolves.toEqual({ id: expect.stringMatching(EVT_ID) });
    await sleep(50); // longer than the retry delay: no retry after close
    expect(receiver.received).toHaveLength(2);
    const byUrl = Object.fromEntries(emulator.deliveries.map((d) => [new URL(d.url).pathname, d.status]));
    expect(byUrl).toEqual({ '/slow': 200, '/hang': 0 });
    expect(emulator.deliveries).toHaveLength(2);
  });
});
