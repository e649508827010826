import { Controller, Injectable, Post, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AffilyncEvent,
  AffilyncWebhook,
  OnAffilyncEvent,
  ProviderAuthModule,
  isKnownAffilyncEvent,
  type AffilyncEventOf,
  type AffilyncWebhookDelivery,
  type IncomingOptions,
} from '../../lib/index.js';
import { signAffilyncWebhook } from '../../lib/testing/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';

export type Adapter = 'express' | 'fastify';

/** What ran, in order, across the route and the handlers of one app. */
export interface Journal {
  runs: { by: string; id: string; event: string; known: boolean }[];
  /** Each call of the route or a handler waits for this first, when set (to hold a handling open). */
  gate?: Promise<void>;
  /** The next calls of these (route or handler names) throw, once each. */
  failNext: string[];
}

export const newJournal = (): Journal => ({ runs: [], failNext: [] });

async function step(journal: Journal, by: string, event: AffilyncWebhookDelivery): Promise<void> {
  await journal.gate;
  const i = journal.failNext.indexOf(by);
  if (i >= 0) {
    journal.failNext.splice(i, 1);
    throw new Error(`${by} failed on purpose`);
  }
  journal.runs.push({ by, id: event.id, event: event.event, known: isKnownAffilyncEvent(event) });
}

/** A user's webhook route, as the docs write it; the journal is given per app. */
export function webhookController(journal: Journal) {
  @Controller('webhooks')
  class AffilyncHooks {
    @AffilyncWebhook()
    @Post('affilync')
    async receive(@AffilyncEvent() event: AffilyncWebhookDelivery) {
      // The event is frozen: the route and every handler see the same one.
      if (!Object.isFrozen(event) || !Object.isFrozen(event.data)) throw new Error('the event is not frozen');
      await step(journal, 'route', event);
      return { ok: true };
    }
  }
  return AffilyncHooks;
}

/** Handlers on a provider of the user's, as the docs write them. */
export function handlerProviders(journal: Journal) {
  @Injectable()
  class ConversionHandlers {
    @OnAffilyncEvent('conversion.created')
    async onConversion(event: AffilyncEventOf<'conversion.created'>) {
      if (typeof event.data.commission !== 'string') throw new Error('commission is not a decimal string');
      await step(journal, 'conversion.created handler', event);
    }

    @OnAffilyncEvent('conversion.created', 'conversion.approved')
    async onConversionAny(event: AffilyncEventOf<'conversion.created' | 'conversion.approved'>) {
      await step(journal, 'conversion.* handler', event);
    }
  }
  @Injectable()
  class CallHandlers {
    @OnAffilyncEvent('call.completed')
    async onCall(event: AffilyncEventOf<'call.completed'>) {
      await step(journal, 'call.completed handler', event);
    }
  }
  return [ConversionHandlers, CallHandlers];
}

export interface WebhookApp {
  app: INestApplication;
  logger: CapturingLogger;
  journal: Journal;
  /** POST /webhooks/affilync with `body`, signed with `secret` unless a signature is given. */
  deliver(body: string | Buffer, opts?: { secret?: string; signature?: string | null }): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startWebhookApp(
  adapter: Adapter,
  incoming: Partial<IncomingOptions> & { webhookSecret: string | string[] },
  extra: ModuleMetadata = {},
  journal: Journal = newJournal(),
): Promise<WebhookApp> {
  const logger = new CapturingLogger();
  const mod = await Test.createTestingModule({
    imports: [ProviderAuthModule.forRoot({ incoming: { jwtSecret: 'w'.repeat(40), ...incoming }, globalGuard: true }), ...(extra.imports ?? [])],
    controllers: [webhookController(journal), ...(extra.controllers ?? [])],
    providers: [...handlerProviders(journal), ...(extra.providers ?? [])],
  })
    .setLogger(logger)
    .compile();
  const app = adapter === 'fastify' ? mod.createNestApplication(new FastifyAdapter(), { rawBody: true }) : mod.createNestApplication({ rawBody: true });
  app.useLogger(logger);
  await app.init();
  if (adapter === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  const firstSecret = Array.isArray(incoming.webhookSecret) ? incoming.webhookSecret[0] : incoming.webhookSecret;
  return {
    app,
    logger,
    journal,
    async deliver(body, opts = {}) {
      let r = request(app.getHttpServer()).post('/webhooks/affilync').set('Content-Type', 'application/json');
      const signature = opts.signature === undefined ? signAffilyncWebhook(body, opts.secret ?? firstSecret) : opts.signature;
      if (signature !== null) r = r.set('X-Affilync-Signature', signature);
      // A string, sent as is (superagent would serialise a Buffer as JSON).
      const res = await r.send(Buffer.isBuffer(body) ? body.toString('utf8') : body);
      return { status: res.status, body: res.body as unknown };
    },
    close: () => app.close(),
  };
}

let counter = 0;

/** A delivery body: a documented conversion.created unless told otherwise. */
export function eventBody(over: { id?: string; event?: string; data?: Record<string, unknown> } = {}): { id: string; body: string } {
  const id = over.id ?? `evt_${process.pid}_${Date.now()}_${++counter}`;
  const data = over.data ?? {
    conversion_id: 'conv_001',
    campaign_id: 'camp_001',
    affiliate_id: 'aff_001',
    type: 'sale',
    commission: '25.00',
    order_value: '149.99',
  };
  return { id, body: JSON.stringify({ id, event: over.event ?? 'conversion.created', created_at: '2026-03-21T15:00:00Z', data }) };
}
