import type { ServerResponse } from 'node:http';
import { Controller, Get, Post, Res } from '@nestjs/common';
import { AffilyncData } from './affilync-data.js';
import { FieldProblems, type JsonObject } from './affilync-input.js';
import { DEFAULT_CURRENCY, EVENT_TYPES } from './affilync-vocabulary.js';
import { QueryApiKey } from './emulator.guard.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import type { AffilyncEventType, EmulatedCommissionTier, EmulatedConversion } from './emulator-state.js';
import { isoSeconds } from './fixtures.js';
import { formatCents, normalizeAmount, percentOf, toCents } from './money.js';
import { JsonBody, SearchParams } from './request-params.js';
import { WebhookDeliveries } from './webhook-deliveries.js';

/** A conversion to record, checked. */
interface ConversionRequest {
  click_id: string;
  order_id: string;
  amount: string;
  currency: string;
  event_type: AffilyncEventType;
  customer_email: string | null;
  metadata: JsonObject;
}

/** The postback's documented query parameters. */
const POSTBACK_PARAMS = ['click_id', 'amount', 'order_id', 'currency'];

/**
 * Affilync's conversion tracking (api/conversions). The click must exist (its link gives the
 * campaign and affiliate); `order_id` de-duplicates (409 DUPLICATE_RESOURCE); each conversion earns
 * a pending commission at the campaign's tier rate. No scope: the docs' scope table has none for
 * conversions, so any valid key or token may track. Each conversion recorded fires
 * `conversion.created` to the webhooks, once its answer is sent (it never delays or fails it).
 */
@Controller('conversions')
export class AffilyncConversionsController {
  constructor(
    private readonly store: AffilyncData,
    private readonly webhooks: WebhookDeliveries,
  ) {}

  /** Server-side tracking: 201 with the conversion in `data`. */
  @Post('track')
  track(@JsonBody() body: unknown, @Res({ passthrough: true }) res: ServerResponse): { data: EmulatedConversion } {
    const problems = new FieldProblems();
    const o = problems.object(body);
    const request = readConversion(problems, o, () => ({
      event_type: problems.oneOf(o, 'event_type', EVENT_TYPES, 'sale'),
      customer_email: problems.optionalEmail(o, 'customer_email'),
      metadata: problems.optionalObject(o, 'metadata'),
    }));
    problems.throwIfAny();
    return { data: this.record(request!, res) };
  }

  /**
   * The postback URL: `?click_id=&amount=&order_id=&currency=`, authenticated by the header or by
   * `?api_key=`. The docs state no method: GET, as a postback URL is fired; 200 with `{ data }`.
   */
  @Get('postback')
  @QueryApiKey()
  postback(@SearchParams() query: URLSearchParams, @Res({ passthrough: true }) res: ServerResponse): { data: EmulatedConversion } {
    const problems = new FieldProblems();
    const o = Object.fromEntries(POSTBACK_PARAMS.map((name) => [name, query.get(name) ?? undefined]));
    const request = readConversion(problems, o, () => ({ event_type: 'sale', customer_email: null, metadata: {} }));
    problems.throwIfAny();
    return { data: this.record(request!, res) };
  }

  private record(request: ConversionRequest, res: ServerResponse): EmulatedConversion {
    const click = this.store.click(request.click_id);
    if (!click) throw new EmulatorHttpError(404, 'Click not found');
    if (this.store.conversions.some((c) => c.order_id === request.order_id)) {
      throw new EmulatorHttpError(409, 'A conversion with this order_id already exists');
    }
    const earlier = this.store.conversions.filter((c) => c.affiliate_id === click.affiliate_id && c.campaign_id === click.campaign_id).length;
    const rate = tierFor(this.store.tiers(click.campaign_id) ?? [], earlier)?.rate ?? '0.00';
    const [id] = this.store.nextId('conv');
    const [commissionId] = this.store.nextId('comm');
    const conversion: EmulatedConversion = {
      id,
      click_id: click.id,
      order_id: request.order_id,
      amount: normalizeAmount(request.amount),
      currency: request.currency,
      event_type: request.event_type,
      customer_email: request.customer_email,
      metadata: request.metadata,
      link_id: click.link_id,
      campaign_id: click.campaign_id,
      affiliate_id: click.affiliate_id,
      commission: formatCents(percentOf(toCents(request.amount), rate)),
      status: 'pending',
      created_at: isoSeconds(Date.now()),
    };
    this.store.addConversion(conversion, {
      id: commissionId,
      conversion_id: id,
      campaign_id: conversion.campaign_id,
      affiliate_id: conversion.affiliate_id,
      amount: conversion.commission,
      currency: conversion.currency,
      status: 'pending',
      created_at: conversion.created_at,
    });
    this.webhooks.emitAfter('conversion.created', conversionCreated(conversion), answerSent(res));
    return conversion;
  }
}

/** `conversion.created`'s data, the fields the docs show: money as decimal strings. */
function conversionCreated(c: EmulatedConversion) {
  return { conversion_id: c.id, campaign_id: c.campaign_id, affiliate_id: c.affiliate_id, type: c.event_type, commission: c.commission, order_value: c.amount };
}

/** Resolves once the answer is out (or the connection is gone). */
function answerSent(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => (res.closed ? resolve() : res.once('close', () => resolve())));
}

/** The fields both ways of tracking share, then `rest`'s (in that order in `fields[]`); undefined on a problem. */
function readConversion(
  problems: FieldProblems,
  o: JsonObject,
  rest: () => { event_type: AffilyncEventType | undefined; customer_email: string | null; metadata: JsonObject },
): ConversionRequest | undefined {
  const click_id = problems.requiredString(o, 'click_id');
  const order_id = problems.requiredString(o, 'order_id');
  const amount = problems.amount(o, 'amount');
  const currency = problems.currency(o, 'currency', DEFAULT_CURRENCY);
  const { event_type, customer_email, metadata } = rest();
  if (click_id === undefined || order_id === undefined || amount === undefined || event_type === undefined) return undefined;
  return { click_id, order_id, amount, currency, event_type, customer_email, metadata };
}

/** The highest tier whose `min_conversions` the affiliate's earlier conversions in the campaign reach. */
function tierFor(tiers: readonly EmulatedCommissionTier[], earlier: number): EmulatedCommissionTier | undefined {
  return tiers.filter((t) => earlier >= t.min_conversions).at(-1);
}
