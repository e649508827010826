import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import type { AffilyncWebhookDelivery } from '../dialects/affilync.events.js';
import { answerFor } from '../incoming/auth-answers.js';
import { LOGGER_CONTEXT, PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedIncomingOptions, ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { parseAffilyncEnvelope } from './affilync-envelope.js';
import { setDelivery } from './affilync-delivery.js';
import { AffilyncEventDispatcher } from './affilync-event-dispatcher.js';
import { EventIdStore } from './event-id-store.interface.js';

const NO_BODY = Buffer.alloc(0);

/** What a redelivery of an event already handled is answered with (the route's status, 200 by default). */
export const DUPLICATE_DELIVERY_ANSWER = Object.freeze({ received: true, duplicate: true });

/**
 * The handling of one delivery on an @AffilyncWebhook() route, after AffilyncWebhookGuard has
 * checked its signature: read the envelope (400 if the body is not one), claim its event id, run
 * the route's method and then every @OnAffilyncEvent() handler, and mark the id done. An id already
 * done answers at once without running anything; one being handled elsewhere answers 409 (the
 * provider retries); a handling that throws releases the id so that the retry runs it.
 */
@Injectable()
export class AffilyncWebhookInterceptor implements NestInterceptor {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly options: ResolvedIncomingOptions;
  private storeDown = false;

  constructor(
    @Inject(PROVIDER_AUTH_OPTIONS) options: ResolvedProviderAuthOptions,
    @Inject(EventIdStore) private readonly store: EventIdStore,
    private readonly dispatcher: AffilyncEventDispatcher,
  ) {
    // AffilyncWebhookGuard, which runs first, refuses to exist without `incoming`.
    this.options = options.incoming as ResolvedIncomingOptions;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<{ rawBody?: unknown }>();
    const event = parseAffilyncEnvelope(Buffer.isBuffer(req.rawBody) ? req.rawBody : NO_BODY);
    if (!event) throw this.refusal('webhook-envelope');
    setDelivery(req, deepFreeze(event));
    // One promise for the whole handling, not an rxjs operator per step: the operators (and the
    // subscribers each one makes per delivery) cost more than the steps they chained.
    return defer(() => this.handle(event, next));
  }

  /** Claim the id; then the route's method and the handlers, and the id done only when all of them succeeded. */
  private async handle(event: AffilyncWebhookDelivery, next: CallHandler): Promise<unknown> {
    const claim = await this.claim(event.id);
    if (claim === 'done') return DUPLICATE_DELIVERY_ANSWER;
    if (claim === 'busy') throw this.refusal('webhook-busy');
    let result: unknown;
    try {
      // The method's last value (an Observable's too), or undefined when it emits none.
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.dispatcher.dispatch(event);
    } catch (error) {
      await this.release(event.id);
      throw error;
    }
    await this.complete(event.id);
    return result;
  }

  private async claim(id: string): Promise<'claimed' | 'busy' | 'done'> {
    try {
      const claim = await this.store.claim(id, this.options.webhookLeaseSec * 1_000);
      if (this.storeDown) {
        this.storeDown = false;
        this.logger.log('Webhook event id store is reachable again; deliveries are handled');
      }
      return claim;
    } catch {
      // Without the store an event could run twice: 503, and the provider delivers it again later.
      if (!this.storeDown) {
        this.storeDown = true;
        this.logger.warn('Webhook event id store is unavailable; deliveries are answered 503 until it is back');
      }
      throw this.refusal('webhook-unavailable');
    }
  }

  /**
   * The handling succeeded and is answered 2xx whatever happens here: if the id cannot be marked
   * done, a redelivery could run it again only after its lease, and the provider has no reason to
   * redeliver an event it saw succeed.
   */
  private async complete(id: string): Promise<void> {
    try {
      await this.store.complete(id, this.options.webhookDedupTtlSec * 1_000);
    } catch {
      this.logger.warn(`Webhook event ${id} was handled but could not be marked done in the event id store`);
    }
  }

  /** The handling failed: free the id for the provider's retry (or, if the store fails too, when its lease runs out). */
  private async release(id: string): Promise<void> {
    try {
      await this.store.release(id);
    } catch {
      this.logger.warn(`Webhook event ${id} failed and could not be released; a retry runs it after ${this.options.webhookLeaseSec} s`);
    }
  }

  private refusal(reason: 'webhook-envelope' | 'webhook-busy' | 'webhook-unavailable') {
    return answerFor({ reason }, this.options.errorFormat, this.options.realm);
  }
}

/** Freezes a parsed JSON value all the way down: the route and every handler share one event. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
