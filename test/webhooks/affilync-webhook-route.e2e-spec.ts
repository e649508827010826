/**
 * @AffilyncWebhook() routes, as a user writes them (global guard on, Express and Fastify): only a
 * signed envelope reaches the route and the @OnAffilyncEvent() handlers; each event id is handled
 * once; a failed handling is released for the provider's retry; secrets rotate.
 */
import { Controller, Injectable, Post, Scope } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { concat, EMPTY, of, throwError } from 'rxjs';
import request from 'supertest';
import {
  AffilyncEvent,
  AffilyncWebhook,
  OnAffilyncEvent,
  ProviderAuthConfigError,
  ProviderAuthModule,
  Public,
  type AffilyncWebhookDelivery,
  type EventIdStore,
} from '../../lib/index.js';
import { signAffilyncWebhook } from '../../lib/testing/index.js';
import { secretAudit } from '../support/secret-audit.js';
import { eventBody, newJournal, startWebhookApp, type Adapter, type WebhookApp } from './webhook-app.js';

const SECRET = 'whsec_route_suite_current_secret_0001';
const OLD_SECRET = 'whsec_route_suite_previous_secret_0002';
const OTHER = 'whsec_someone_elses_secret_00000000003';
secretAudit.registerSecret(SECRET, OLD_SECRET, OTHER);

const ADAPTERS: Adapter[] = ['express', 'fastify'];

describe.each(ADAPTERS)('@AffilyncWebhook() on %s', (adapter) => {
  let hooks: WebhookApp;
  beforeEach(async () => {
    hooks = await startWebhookApp(adapter, { webhookSecret: SECRET });
  });
  afterEach(() => hooks.close());

  it('runs the route, then every matching handler, once, with the typed event; answers 200 with the route’s result', async () => {
    const { id, body } = eventBody();
    const res = await hooks.deliver(body);
    expect(res).toEqual({ status: 200, body: { ok: true } });
    expect(hooks.journal.runs).toEqual([
      { by: 'route', id, event: 'conversion.created', known: true },
      { by: 'conversion.created handler', id, event: 'conversion.created', known: true },
      { by: 'conversion.* handler', id, event: 'conversion.created', known: true },
    ]);
  });

  it('a redelivery of a handled event answers 200 without running anything again', async () => {
    const { body } = eventBody();
    await hooks.deliver(body);
    const again = await hooks.deliver(body);
    expect(again).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(hooks.journal.runs).toHaveLength(3);
  });

  it('an event name the docs do not list reaches the route as an unknown event, and no handler', async () => {
    const { id, body } = eventBody({ event: 'payout.failed', data: { payout_id: 'pay_1' } });
    expect((await hooks.deliver(body)).status).toBe(200);
    expect(hooks.journal.runs).toEqual([{ by: 'route', id, event: 'payout.failed', known: false }]);
  });

  it('only the handlers of that event run (call.completed)', async () => {
    const { id, body } = eventBody({ event: 'call.completed', data: { call_id: 'call_001', duration: 95, outcome: 'qualified' } });
    expect((await hooks.deliver(body)).status).toBe(200);
    expect(hooks.journal.runs.map((r) => [r.by, r.id])).toEqual([
      ['route', id],
      ['call.completed handler', id],
    ]);
  });

  describe('never reaches the route or a handler', () => {
    const { body } = eventBody();
    const cases: [string, () => Promise<{ status: number; body: unknown }>, number][] = [
      ['no signature', () => hooks.deliver(body, { signature: null }), 401],
      ['a junk signature', () => hooks.deliver(body, { signature: 'sha256=nope' }), 401],
      ['signed with another secret', () => hooks.deliver(body, { secret: OTHER }), 401],
      ['the signature of another body', () => hooks.deliver(body, { signature: signAffilyncWebhook(eventBody().body, SECRET) }), 401],
      // Not JSON any more: the platform's body parser answers 400 before any guard runs.
      ['truncated after signing', () => hooks.deliver(body.slice(0, -10), { signature: signAffilyncWebhook(body, SECRET) }), 400],
      ['one byte changed after signing', () => hooks.deliver(body.replace('25.00', '26.00'), { signature: signAffilyncWebhook(body, SECRET) }), 401],
      ['re-signed after a change, with another secret', () => hooks.deliver(body.replace('25.00', '2500.00'), { secret: OTHER }), 401],
      ['signed, but not JSON', () => hooks.deliver('{"id": "evt_1", "event": '), 400],
      ['signed, but an array', () => hooks.deliver('[1, 2]'), 400],
      ['signed, but no id', () => hooks.deliver(JSON.stringify({ event: 'conversion.created', created_at: '2026-03-21T15:00:00Z', data: {} })), 400],
      [
        'signed, an id with a space',
        () => hooks.deliver(JSON.stringify({ id: 'evt 1', event: 'click.created', created_at: '2026-03-21T15:00:00Z', data: {} })),
        400,
      ],
      ['signed, but no event', () => hooks.deliver(JSON.stringify({ id: 'evt_2', created_at: '2026-03-21T15:00:00Z', data: {} })), 400],
      [
        'signed, an event that is not a name',
        () => hooks.deliver(JSON.stringify({ id: 'evt_3', event: 'DROP TABLE', created_at: '2026-03-21T15:00:00Z', data: {} })),
        400,
      ],
      ['signed, created_at not a date', () => hooks.deliver(JSON.stringify({ id: 'evt_4', event: 'click.created', created_at: 'yesterday', data: {} })), 400],
      [
        'signed, data not an object',
        () => hooks.deliver(JSON.stringify({ id: 'evt_5', event: 'click.created', created_at: '2026-03-21T15:00:00Z', data: [1] })),
        400,
      ],
      ['signed, an empty body', () => hooks.deliver(''), 400],
    ];
    it.each(cases)('%s → %d', async (_name, send, status) => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(hooks.journal.runs).toEqual([]);
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    });
  });

  it('a handler that throws fails the delivery (500) and releases the id: the retry runs the route and every handler again', async () => {
    const { id, body } = eventBody();
    hooks.journal.failNext.push('conversion.* handler');
    expect((await hooks.deliver(body)).status).toBe(500);
    expect(hooks.journal.runs.map((r) => r.by)).toEqual(['route', 'conversion.created handler']);
    hooks.journal.runs.length = 0;
    expect((await hooks.deliver(body)).status).toBe(200);
    expect(hooks.journal.runs.map((r) => [r.by, r.id])).toEqual([
      ['route', id],
      ['conversion.created handler', id],
      ['conversion.* handler', id],
    ]);
    expect((await hooks.deliver(body)).body).toEqual({ received: true, duplicate: true });
  });

  it('a route method that throws runs no handler and releases the id', async () => {
    const { body } = eventBody();
    hooks.journal.failNext.push('route');
    expect((await hooks.deliver(body)).status).toBe(500);
    expect(hooks.journal.runs).toEqual([]);
    expect((await hooks.deliver(body)).status).toBe(200);
    expect(hooks.journal.runs.map((r) => r.by)).toEqual(['route', 'conversion.created handler', 'conversion.* handler']);
  });

  it('deliveries of one event arriving together run it once; the others get 409 (retry later) or, once it is done, 200', async () => {
    const { body } = eventBody();
    let open!: () => void;
    hooks.journal.gate = new Promise<void>((resolve) => (open = resolve));
    const deliveries = Array.from({ length: 8 }, () => hooks.deliver(body));
    // Let every request reach its claim while the first handling is held open.
    await new Promise((r) => setTimeout(r, 300));
    open();
    const answers = await Promise.all(deliveries);
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ error_code: 'EVENT_IN_PROGRESS', status: 409 });
    expect(hooks.journal.runs.map((r) => r.by)).toEqual(['route', 'conversion.created handler', 'conversion.* handler']);
    expect((await hooks.deliver(body)).body).toEqual({ received: true, duplicate: true });
  });
});

describe.each(ADAPTERS)('@AffilyncWebhook() routes that return an Observable, on %s', (adapter) => {
  let hooks: WebhookApp;
  let failAfterFirst = true;
  @Controller('streams')
  class StreamingHooks {
    @AffilyncWebhook()
    @Post('many')
    many(@AffilyncEvent() event: AffilyncWebhookDelivery) {
      return of({ step: 1, id: event.id }, { step: 2, id: event.id });
    }

    @AffilyncWebhook()
    @Post('none')
    none() {
      return EMPTY;
    }

    @AffilyncWebhook()
    @Post('fails')
    fails() {
      if (!failAfterFirst) return of({ step: 'retried' });
      failAfterFirst = false;
      return concat(
        of({ step: 1 }),
        throwError(() => new Error('the stream failed on purpose')),
      );
    }
  }

  beforeEach(async () => {
    failAfterFirst = true;
    hooks = await startWebhookApp(adapter, { webhookSecret: SECRET }, { controllers: [StreamingHooks] });
  });
  afterEach(() => hooks.close());

  const post = (path: string, body: string) =>
    request(hooks.app.getHttpServer())
      .post(`/streams/${path}`)
      .set('Content-Type', 'application/json')
      .set('X-Affilync-Signature', signAffilyncWebhook(body, SECRET))
      .send(body);
  const handlers = () => hooks.journal.runs.map((r) => r.by);

  it('answers the last value, then runs the handlers once', async () => {
    const { id, body } = eventBody();
    const res = await post('many', body);
    expect([res.status, res.body]).toEqual([200, { step: 2, id }]);
    expect(handlers()).toEqual(['conversion.created handler', 'conversion.* handler']);
    expect((await post('many', body)).body).toEqual({ received: true, duplicate: true });
  });

  it('one that completes without a value is answered 200, and the handlers run', async () => {
    const { body } = eventBody();
    const res = await post('none', body);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(handlers()).toEqual(['conversion.created handler', 'conversion.* handler']);
    expect((await post('none', body)).body).toEqual({ received: true, duplicate: true });
  });

  it('one that fails after a value fails the delivery (500), runs no handler, and releases the id for the retry', async () => {
    const { body } = eventBody();
    expect((await post('fails', body)).status).toBe(500);
    expect(handlers()).toEqual([]);
    const retry = await post('fails', body);
    expect([retry.status, retry.body]).toEqual([200, { step: 'retried' }]);
    expect(handlers()).toEqual(['conversion.created handler', 'conversion.* handler']);
  });
});

describe('webhook secret rotation', () => {
  it('during rotation a signature with either secret passes; after it, only the new one', async () => {
    const during = await startWebhookApp('express', { webhookSecret: [SECRET, OLD_SECRET] });
    try {
      expect((await during.deliver(eventBody().body, { secret: OLD_SECRET })).status).toBe(200);
      expect((await during.deliver(eventBody().body, { secret: SECRET })).status).toBe(200);
      expect((await during.deliver(eventBody().body, { secret: OTHER })).status).toBe(401);
    } finally {
      await during.close();
    }
    const after = await startWebhookApp('fastify', { webhookSecret: SECRET });
    try {
      expect((await after.deliver(eventBody().body, { secret: OLD_SECRET })).status).toBe(401);
      expect((await after.deliver(eventBody().body, { secret: SECRET })).status).toBe(200);
      expect(after.journal.runs.filter((r) => r.by === 'route')).toHaveLength(1);
    } finally {
      await after.close();
    }
  });

  it.each([
    [[], 'incoming.webhookSecret: must list 1 to 10 secrets'],
    [[SECRET, 'short'], 'incoming.webhookSecret[1]: must be a webhook signing secret'],
    [[SECRET, SECRET], 'incoming.webhookSecret: lists the same secret twice'],
    [42, 'incoming.webhookSecret: must be a webhook signing secret'],
  ])('refuses webhookSecret %p at bootstrap, never quoting it', async (webhookSecret, problem) => {
    const compiling = Test.createTestingModule({
      imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'w'.repeat(40), webhookSecret: webhookSecret as string[] } })],
    }).compile();
    const error = await compiling.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderAuthConfigError);
    expect((error as Error).message).toContain(problem);
    expect((error as Error).message).not.toContain(SECRET);
  });
});

describe('the event id store', () => {
  it('unavailable: deliveries get 503 (the provider retries) and nothing runs; said once in the log, and once on recovery', async () => {
    let down = true;
    const inner = new Map<string, string>();
    const flaky: EventIdStore = {
      claim: async (id) => {
        if (down) throw new Error('connection refused');
        if (inner.has(id)) return inner.get(id) === 'done' ? 'done' : 'busy';
        inner.set(id, 'claimed');
        return 'claimed';
      },
      complete: async (id) => void inner.set(id, 'done'),
      release: async (id) => void inner.delete(id),
    };
    const hooks = await startWebhookApp('express', { webhookSecret: SECRET, eventIdStore: flaky });
    try {
      const { body } = eventBody();
      for (let i = 0; i < 3; i++) {
        const res = await hooks.deliver(body);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ error_code: 'SERVICE_UNAVAILABLE' });
      }
      expect(hooks.journal.runs).toEqual([]);
      down = false;
      expect((await hooks.deliver(body)).status).toBe(200);
      expect(hooks.journal.runs.filter((r) => r.by === 'route')).toHaveLength(1);
      const text = hooks.logger.text();
      expect(text.match(/event id store is unavailable/g)).toHaveLength(1);
      expect(text.match(/event id store is reachable again/g)).toHaveLength(1);
    } finally {
      await hooks.close();
    }
  });

  it('options: a store lacking a method, and out-of-range ttl and lease, are refused at bootstrap', async () => {
    const error = await Test.createTestingModule({
      imports: [
        ProviderAuthModule.forRoot({
          incoming: {
            jwtSecret: 'w'.repeat(40),
            webhookSecret: SECRET,
            eventIdStore: { claim: () => Promise.resolve('claimed') } as unknown as EventIdStore,
            webhookDedupTtlSec: 10,
            webhookLeaseSec: 0,
          },
        }),
      ],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderAuthConfigError);
    const paths = (error as ProviderAuthConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['incoming.eventIdStore', 'incoming.webhookDedupTtlSec', 'incoming.webhookLeaseSec']));
  });
});

describe('wiring mistakes are caught', () => {
  it('@OnAffilyncEvent() handlers without incoming.webhookSecret stop the app at bootstrap', async () => {
    @Injectable()
    class Orphan {
      @OnAffilyncEvent('click.created')
      onClick() {}
    }
    const app = (
      await Test.createTestingModule({ imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'w'.repeat(40) } })], providers: [Orphan] }).compile()
    ).createNestApplication();
    await expect(app.init()).rejects.toThrow(/incoming\.webhookSecret: is not configured, but @OnAffilyncEvent\(\) handlers exist/);
    await app.close();
  });

  it('a request-scoped provider with @OnAffilyncEvent() stops the app at bootstrap, naming it', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequest {
      @OnAffilyncEvent('click.created')
      onClick() {}
    }
    const app = (
      await Test.createTestingModule({
        imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'w'.repeat(40), webhookSecret: SECRET } })],
        providers: [PerRequest],
      }).compile()
    ).createNestApplication();
    await expect(app.init()).rejects.toThrow(/PerRequest\.onClick: @OnAffilyncEvent\(\) needs a singleton provider/);
    await app.close();
  });

  it('@OnAffilyncEvent() with a name the docs do not list is a TypeError where it is written', () => {
    expect(() => OnAffilyncEvent('payout.failed' as never)).toThrow(TypeError);
    expect(() => (OnAffilyncEvent as (...n: string[]) => MethodDecorator)()).toThrow(TypeError);
  });

  it('@AffilyncEvent() on a route without @AffilyncWebhook() fails that request, saying what is missing', async () => {
    @Controller()
    class Forgetful {
      @Public()
      @Post('forgot')
      receive(@AffilyncEvent() event: unknown) {
        return event;
      }
    }
    const journal = newJournal();
    const hooks = await startWebhookApp('express', { webhookSecret: SECRET }, { controllers: [Forgetful] }, journal);
    try {
      const { default: request } = await import('supertest');
      const res = await request(hooks.app.getHttpServer()).post('/forgot').send({});
      expect(res.status).toBe(500);
      expect(hooks.logger.text()).toMatch(/@AffilyncEvent\(\): is used on a route without @AffilyncWebhook\(\)/);
    } finally {
      await hooks.close();
    }
  });
});
