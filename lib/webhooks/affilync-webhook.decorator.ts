import { applyDecorators, HttpCode, UseGuards, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AffilyncWebhookGuard } from '../incoming/affilync-webhook.guard.js';
import { Public } from '../incoming/decorators.js';
import { AffilyncWebhookInterceptor } from './affilync-webhook.interceptor.js';

/** Marks @AffilyncWebhook() routes (fixed key: one metadata for the ESM and CommonJS builds). */
export const AffilyncWebhookMetadata = Reflector.createDecorator<true>({ key: 'nest-provider-auth:affilync-webhook', transform: () => true });

/**
 * Makes a route (with your own `@Post(path)`) Affilync's webhook receiver: public under the global
 * guard; the signature checked over the raw body (`incoming.webhookSecret`, any of them while
 * rotating; 401 otherwise); the envelope checked (400); each event handled once by its `evt_` id
 * (`incoming.eventIdStore`); the event given to the method by @AffilyncEvent(), then to every
 * @OnAffilyncEvent() handler; answered 200. Needs `NestFactory.create(AppModule, { rawBody: true })`.
 *
 * @example
 * @AffilyncWebhook()
 * @Post('webhooks/affilync')
 * receive(@AffilyncEvent() event: AffilyncWebhookDelivery) { … }
 */
export function AffilyncWebhook(): MethodDecorator {
  return applyDecorators(
    AffilyncWebhookMetadata(true),
    Public(),
    UseGuards(AffilyncWebhookGuard),
    UseInterceptors(AffilyncWebhookInterceptor),
    HttpCode(200),
  ) as MethodDecorator;
}
