import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AFFILYNC } from '../dialects/affilync.dialect.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedIncomingOptions, ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { answerFor } from './auth-answers.js';

const SIGNATURE = new RegExp(`^${AFFILYNC.webhook.signaturePrefix}([0-9a-fA-F]{64})$`);

/**
 * Lets a request through only if `X-Affilync-Signature: sha256=<hex>` is the HMAC-SHA256 of its
 * raw body with `incoming.webhookSecret`, compared in constant time; anything else is 401 and the
 * handler never runs. Needs the app created with `rawBody: true` (Express and Fastify): the parsed
 * body cannot be re-serialised byte for byte.
 *
 * @example @Public() @UseGuards(AffilyncWebhookGuard) @Post('webhooks/affilync') receive(@Body() event) { … }
 */
@Injectable()
export class AffilyncWebhookGuard implements CanActivate {
  private readonly options: ResolvedIncomingOptions & { webhookKey: NonNullable<ResolvedIncomingOptions['webhookKey']> };

  constructor(@Inject(PROVIDER_AUTH_OPTIONS) options: ResolvedProviderAuthOptions) {
    if (!options.incoming?.webhookKey) {
      throw new ProviderAuthConfigError([
        { path: 'incoming.webhookSecret', problem: 'is not configured, but AffilyncWebhookGuard is used; give the whsec_ secret you registered with Affilync' },
      ]);
    }
    this.options = options.incoming as typeof this.options;
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return false;
    const req = context.switchToHttp().getRequest<{ headers?: Record<string, unknown>; rawBody?: unknown } | undefined>();
    if (!req || typeof req.headers !== 'object' || req.headers === null) return false;
    if (!Buffer.isBuffer(req.rawBody)) {
      // A deployment mistake, not a bad request: fail loudly (500, logged), and closed.
      throw new ProviderAuthConfigError([
        { path: 'rawBody', problem: 'AffilyncWebhookGuard needs the raw request body: create the app with NestFactory.create(AppModule, { rawBody: true })' },
      ]);
    }
    const header = req.headers[AFFILYNC.webhook.signatureHeader];
    const given = typeof header === 'string' ? SIGNATURE.exec(header) : null;
    if (given) {
      const expected = createHmac(AFFILYNC.webhook.hmac, this.options.webhookKey).update(req.rawBody).digest();
      if (timingSafeEqual(Buffer.from(given[1], 'hex'), expected)) return true;
    }
    throw answerFor({ reason: 'webhook-signature' }, this.options.errorFormat, this.options.realm);
  }
}
